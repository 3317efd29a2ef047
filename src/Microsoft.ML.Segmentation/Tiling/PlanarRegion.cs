using System;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>Reads a region of an image held as planes <c>[C, H, W]</c> (row-major): what an in-memory <see cref="ImageRegionReader"/> does.</summary>
internal static class PlanarRegion
{
    /// <summary>Copies rows [top, top + rows) × columns [left, left + columns) of every channel into <paramref name="destination"/> as <c>[C, rows, columns]</c>.</summary>
    public static void Copy(ReadOnlySpan<float> image, int channels, int height, int width, int top, int left, int rows, int columns, Span<float> destination)
    {
        for (int c = 0; c < channels; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                image.Slice((((c * height) + top + r) * width) + left, columns).CopyTo(destination.Slice(((c * rows) + r) * columns, columns));
            }
        }
    }
}
