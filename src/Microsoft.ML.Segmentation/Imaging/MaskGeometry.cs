using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Nearest-neighbour mapping of label maps between an image's original size and the padded, resized tensor size that
/// an <see cref="ImageGeometry"/> describes. Labels are never interpolated.
/// </summary>
/// <remarks>
/// Output pixel <c>d</c> of a length-<c>D</c> axis takes source pixel <c>floor((d + 0.5) · S / D)</c> of a length-<c>S</c>
/// axis (pixel centres aligned, like PyTorch's <c>nearest-exact</c>). Upscaling by an integer factor and then restoring
/// therefore gives back the original mask exactly.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class MaskGeometry
{
    /// <summary>Maps a label map of the original size into the output geometry: resize, then pad.</summary>
    /// <param name="labels">Labels <c>[height · width]</c>, row-major.</param>
    /// <param name="width">Width of <paramref name="labels"/>; must be &gt; 0.</param>
    /// <param name="height">Height of <paramref name="labels"/>; must be &gt; 0.</param>
    /// <param name="geometry">Target geometry; its resized content size is what the labels are scaled to.</param>
    /// <param name="paddingLabel">Label written into the padding (the ignore index, typically 255).</param>
    /// <param name="destination">Receives <c>[OutputHeight · OutputWidth]</c> labels.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void Apply(ReadOnlySpan<int> labels, int width, int height, ImageGeometry geometry, int paddingLabel, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckLength(labels.Length, (long)width * height, nameof(labels));
        CheckLength(destination.Length, (long)geometry.OutputWidth * geometry.OutputHeight, nameof(destination));
        if (geometry.PadLeft + geometry.PadRight + geometry.PadTop + geometry.PadBottom > 0)
        {
            destination.Fill(paddingLabel);
        }

        Resample(labels, width, height, destination, geometry.OutputWidth, geometry.PadLeft, geometry.PadTop, geometry.ResizedWidth, geometry.ResizedHeight);
    }

    /// <summary>
    /// Whether <see cref="Apply"/> would copy a <paramref name="width"/> × <paramref name="height"/> mask unchanged: the
    /// geometry neither resizes it nor pads it.
    /// </summary>
    internal static bool LeavesAsIs(ImageGeometry geometry, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return geometry.ResizedWidth == width && geometry.ResizedHeight == height
            && geometry.OutputWidth == width && geometry.OutputHeight == height;
    }

    /// <summary>Maps a predicted label map of the output size back onto the original image: crop the padding, then resize.</summary>
    /// <param name="mask">Labels <c>[OutputHeight · OutputWidth]</c>, row-major.</param>
    /// <param name="geometry">The geometry the image was loaded with.</param>
    /// <returns>Labels <c>[OriginalHeight · OriginalWidth]</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="mask"/> does not have the output size.</exception>
    public static int[] Restore(ReadOnlySpan<int> mask, ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var result = new int[geometry.OriginalWidth * geometry.OriginalHeight];
        Restore(mask, geometry, result);
        return result;
    }

    /// <summary>Maps a predicted label map of the output size back onto the original image, into a caller buffer.</summary>
    /// <param name="mask">Labels <c>[OutputHeight · OutputWidth]</c>, row-major.</param>
    /// <param name="geometry">The geometry the image was loaded with.</param>
    /// <param name="destination">Receives <c>[OriginalHeight · OriginalWidth]</c> labels.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static void Restore(ReadOnlySpan<int> mask, ImageGeometry geometry, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        CheckLength(mask.Length, (long)geometry.OutputWidth * geometry.OutputHeight, nameof(mask));
        CheckLength(destination.Length, (long)geometry.OriginalWidth * geometry.OriginalHeight, nameof(destination));
        int w = geometry.ResizedWidth, h = geometry.ResizedHeight;
        int ow = geometry.OriginalWidth, oh = geometry.OriginalHeight;
        for (int y = 0; y < oh; y++)
        {
            int sy = Source(y, h, oh);
            ReadOnlySpan<int> row = mask.Slice(((geometry.PadTop + sy) * geometry.OutputWidth) + geometry.PadLeft, w);
            Span<int> target = destination.Slice(y * ow, ow);
            for (int x = 0; x < ow; x++)
            {
                target[x] = row[Source(x, w, ow)];
            }
        }
    }

    /// <summary>Nearest-neighbour resize of <paramref name="source"/> into a <paramref name="width"/> × <paramref name="height"/> window of <paramref name="destination"/>.</summary>
    internal static void Resample(ReadOnlySpan<int> source, int sourceWidth, int sourceHeight, Span<int> destination, int destinationStride, int left, int top, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<int> row = source.Slice(Source(y, sourceHeight, height) * sourceWidth, sourceWidth);
            Span<int> target = destination.Slice(((top + y) * destinationStride) + left, width);
            if (width == sourceWidth)
            {
                row.CopyTo(target);
                continue;
            }

            for (int x = 0; x < width; x++)
            {
                target[x] = row[Source(x, sourceWidth, width)];
            }
        }
    }

    /// <summary>floor((d + 0.5) · sourceLength / destinationLength), in exact integer arithmetic.</summary>
    private static int Source(int d, int sourceLength, int destinationLength) =>
        (int)Math.Min((((2L * d) + 1) * sourceLength) / (2L * destinationLength), sourceLength - 1);

    private static void CheckLength(int actual, long expected, string paramName)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{paramName} has length {actual} but the geometry needs {expected}; pass a buffer of exactly that many labels.", paramName);
        }
    }
}
