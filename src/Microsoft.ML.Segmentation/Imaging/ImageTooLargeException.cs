using System.IO;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// An image or mask file declares more pixels than the loader's limit (<see cref="ImageTensorOptions.MaxPixels"/> or
/// <see cref="MaskOptions.MaxPixels"/>); thrown from the header, before any pixel buffer exists.
/// </summary>
/// <remarks>
/// It is an <see cref="InvalidDataException"/>, as the loaders document, and carries what was wrong as data so a
/// caller (the <c>segml</c> command line, say) can word its own advice: the file, its size and the limit.
/// </remarks>
public sealed class ImageTooLargeException : InvalidDataException
{
    /// <summary>Creates the exception; the message names the file, its size, the limit and the options that raise it.</summary>
    /// <param name="source">The file (or <c>&lt;bytes&gt;</c>) whose header declared the size.</param>
    /// <param name="width">The declared width.</param>
    /// <param name="height">The declared height.</param>
    /// <param name="limit">The limit in pixels that was exceeded.</param>
    public ImageTooLargeException(string source, int width, int height, long limit)
        : base($"'{source}' declares {width}x{height} = {(long)width * height} pixels, over the limit of {limit} (MaxPixels); raise ImageTensorOptions.MaxPixels or MaskOptions.MaxPixels if the file is trusted.")
    {
        ImageSource = source;
        Width = width;
        Height = height;
        Limit = limit;
    }

    /// <summary>The file (or <c>&lt;bytes&gt;</c>) whose header declared the size.</summary>
    public string ImageSource { get; }

    /// <summary>The declared width in pixels.</summary>
    public int Width { get; }

    /// <summary>The declared height in pixels.</summary>
    public int Height { get; }

    /// <summary>The declared pixel count, width × height.</summary>
    public long Pixels => (long)Width * Height;

    /// <summary>The limit in pixels that <see cref="Pixels"/> exceeds.</summary>
    public long Limit { get; }
}
