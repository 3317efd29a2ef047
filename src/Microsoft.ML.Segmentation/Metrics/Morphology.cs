using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>Binary morphology on 2-D masks, with SciPy's conventions (<c>scipy.ndimage.binary_erosion</c>).</summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
internal static class Morphology
{
    /// <summary>
    /// Binary erosion: a pixel stays 1 when every pixel under the structuring element, centred at the pixel, is 1.
    /// The element's centre is at (rows / 2, columns / 2), as SciPy's default origin; pixels outside the image read
    /// <paramref name="borderValue"/>.
    /// </summary>
    /// <param name="mask">The mask, row-major <c>[height, width]</c>; non-zero is foreground.</param>
    /// <param name="height">Mask height.</param>
    /// <param name="width">Mask width.</param>
    /// <param name="structure">The structuring element, row-major <c>[structureHeight, structureWidth]</c>; non-zero entries take part.</param>
    /// <param name="structureHeight">Element height; at least 1.</param>
    /// <param name="structureWidth">Element width; at least 1.</param>
    /// <param name="destination">Receives the eroded mask (0 or 1); must not overlap <paramref name="mask"/>.</param>
    /// <param name="borderValue">The value pixels outside the image read. Default: 0 (the border erodes).</param>
    /// <exception cref="ArgumentException">A length does not match its size.</exception>
    public static void BinaryErosion(ReadOnlySpan<byte> mask, int height, int width, ReadOnlySpan<byte> structure, int structureHeight, int structureWidth, Span<byte> destination, byte borderValue = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(structureHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(structureWidth, 1);
        if (mask.Length != height * width || destination.Length != mask.Length)
        {
            throw new ArgumentException($"mask ({mask.Length}) and destination ({destination.Length}) must both hold height × width = {height * width} pixels.", nameof(mask));
        }

        if (structure.Length != structureHeight * structureWidth)
        {
            throw new ArgumentException($"structure holds {structure.Length} values; its shape needs {structureHeight * structureWidth}.", nameof(structure));
        }

        int cy = structureHeight / 2, cx = structureWidth / 2;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bool keep = true;
                for (int sy = 0; sy < structureHeight && keep; sy++)
                {
                    for (int sx = 0; sx < structureWidth; sx++)
                    {
                        if (structure[(sy * structureWidth) + sx] == 0)
                        {
                            continue;
                        }

                        int yy = y + sy - cy, xx = x + sx - cx;
                        bool on = yy >= 0 && yy < height && xx >= 0 && xx < width ? mask[(yy * width) + xx] != 0 : borderValue != 0;
                        if (!on)
                        {
                            keep = false;
                            break;
                        }
                    }
                }

                destination[(y * width) + x] = keep ? (byte)1 : (byte)0;
            }
        }
    }
}
