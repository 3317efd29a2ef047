using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// What was wrong when an image or mask file declared more pixels than the loader's limit
/// (<see cref="ImageTensorOptions.MaxPixels"/> or <see cref="MaskOptions.MaxPixels"/>): the loaders throw the
/// documented <see cref="InvalidDataException"/> (a sealed type) and attach this to its <see cref="Exception.Data"/>,
/// so a caller (the <c>segml</c> command line, say) can word its own advice from the file, its size and the limit.
/// </summary>
/// <param name="ImageSource">The file (or <c>&lt;bytes&gt;</c>) whose header declared the size.</param>
/// <param name="Width">The declared width in pixels.</param>
/// <param name="Height">The declared height in pixels.</param>
/// <param name="Limit">The limit in pixels that was exceeded.</param>
[Serializable]
public sealed record PixelLimitExceeded(string ImageSource, int Width, int Height, long Limit)
{
    /// <summary>The key under which the loaders store this in <see cref="Exception.Data"/>.</summary>
    public static string DataKey { get; } = typeof(PixelLimitExceeded).FullName!;

    /// <summary>The declared pixel count, width × height.</summary>
    public long Pixels => (long)Width * Height;

    /// <summary>The details attached to <paramref name="exception"/>, if it is a pixel-limit failure of a loader.</summary>
    /// <param name="exception">An exception from an image or mask loader.</param>
    /// <param name="details">The details; <see langword="null"/> when there are none.</param>
    /// <returns>Whether <paramref name="exception"/> reports a file over the pixel limit.</returns>
    public static bool TryGetFrom(Exception exception, [NotNullWhen(true)] out PixelLimitExceeded? details)
    {
        ArgumentNullException.ThrowIfNull(exception);
        details = exception.Data[DataKey] as PixelLimitExceeded;
        return details is not null;
    }

    /// <summary>The exception the loaders throw: the message names the file, its size, the limit and the options that raise it.</summary>
    internal InvalidDataException ToException()
    {
        var exception = new InvalidDataException(
            $"'{ImageSource}' declares {Width}x{Height} = {Pixels} pixels, over the limit of {Limit} (MaxPixels); raise ImageTensorOptions.MaxPixels or MaskOptions.MaxPixels if the file is trusted.");
        exception.Data[DataKey] = this;
        return exception;
    }
}
