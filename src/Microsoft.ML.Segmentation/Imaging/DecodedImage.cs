using System;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// One decoded image kept as 8-bit RGB pixels (3 bytes a pixel) instead of a float tensor (12 bytes a pixel), with
/// <see cref="ReadRegion"/> normalising any rectangle of it on demand: what sliding-window inference of a very large
/// image reads window by window. Made by <see cref="SegmentationImageLoader.LoadPixels(string)"/>.
/// </summary>
/// <remarks>
/// <see cref="ReadRegion"/> writes exactly the values of the same region of the tensor
/// <see cref="SegmentationImageLoader.Load(string)"/> makes (<see cref="ImageResizeMode.None"/>, NCHW), bit for bit:
/// the same pixels (EXIF orientation applied), channel order, scale, mean and std, through the same float operations.
/// <para>Thread safety: <see cref="ReadRegion"/> only reads the pixels and may run on several threads at once; dispose
/// once, when no read is running.</para>
/// </remarks>
public sealed class DecodedImage : IDisposable
{
    private const int ChannelCount = 3;
    private readonly Image<Rgb24> _pixels;
    private readonly PixelNormalization _normalization;
    private bool _disposed;

    internal DecodedImage(Image<Rgb24> pixels, ImageGeometry geometry, PixelNormalization normalization)
    {
        _pixels = pixels;
        _normalization = normalization;
        Geometry = geometry;
    }

    /// <summary>The image's geometry (its output size is its upright decoded size: no resizing).</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Width in pixels, after EXIF orientation.</summary>
    public int Width => _pixels.Width;

    /// <summary>Height in pixels, after EXIF orientation.</summary>
    public int Height => _pixels.Height;

    /// <summary>Number of channels <see cref="ReadRegion"/> writes: 3.</summary>
    public int Channels => ChannelCount;

    /// <summary>
    /// Writes image rows [<paramref name="top"/>, top + <paramref name="rows"/>) and columns [<paramref name="left"/>,
    /// left + <paramref name="columns"/>) as normalised planes <c>[3, rows, columns]</c> into
    /// <paramref name="destination"/>; the signature of <c>Tiling.ImageRegionReader</c>.
    /// </summary>
    /// <param name="top">First row; ≥ 0.</param>
    /// <param name="left">First column; ≥ 0.</param>
    /// <param name="rows">Number of rows; ≥ 1, inside the image.</param>
    /// <param name="columns">Number of columns; ≥ 1, inside the image.</param>
    /// <param name="destination">Receives at least 3 × rows × columns values (only those are written).</param>
    /// <exception cref="ArgumentOutOfRangeException">The region is empty or not inside the image.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="ObjectDisposedException">The image was disposed.</exception>
    public void ReadRegion(int top, int left, int rows, int columns, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(top, rows, Height, nameof(top), nameof(rows));
        CheckRange(left, columns, Width, nameof(left), nameof(columns));
        int plane = rows * columns;
        if (destination.Length < (long)ChannelCount * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} values; a 3x{rows}x{columns} region needs {(long)ChannelCount * plane}.", nameof(destination));
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<Rgb24> row = _pixels.DangerousGetPixelRowMemory(top + r).Span.Slice(left, columns);
            int start = r * columns;
            _normalization.WriteRowToPlanes(row, destination.Slice(start, columns), destination.Slice(plane + start, columns), destination.Slice((2 * plane) + start, columns));
        }
    }

    /// <summary>Releases the pixels.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _pixels.Dispose();
        }
    }

    private static void CheckRange(int start, int length, int size, string startName, string lengthName)
    {
        if (length < 1 || start < 0 || start > size - length)
        {
            throw new ArgumentOutOfRangeException(start < 0 || start >= size ? startName : lengthName,
                $"The region [{start}, {start + (long)length}) must be non-empty and inside the image's {size} pixels.");
        }
    }
}
