using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Morphological skeletons of binary masks: the 2-D parallel thinning that scikit-image's
/// <c>skimage.morphology.skeletonize</c> applies to 2-D images by default.
/// </summary>
/// <remarks>
/// The mask is padded with one background element on every side, then thinned in rounds of two sub-passes until a round
/// removes nothing. Each sub-pass classifies every foreground element from its eight neighbours as they stood at the start
/// of the sub-pass (so the removals of one sub-pass are simultaneous): a lookup table over the 256 neighbourhoods gives
/// 0 (keep), 1 (removable in the first sub-pass), 2 (removable in the second) or 3 (removable in either).
/// The table is scikit-image's, which refines the conditions of the original algorithm.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
internal static class Skeletonization
{
    // Zhang & Suen, 1984: "A fast parallel algorithm for thinning digital patterns", Commun. ACM 27(3).
    // Neighbourhood code: NW = 1, N = 2, NE = 4, E = 8, SE = 16, S = 32, SW = 64, W = 128 (clockwise from the north-west).
    // The codes removable in the first sub-pass only, the second only, and both (scikit-image's table).
    private static readonly int[] FirstPassOnly = [3, 6, 11, 12, 14, 131, 134, 143, 159, 161, 194, 198, 207, 227, 231, 243];
    private static readonly int[] SecondPassOnly = [24, 26, 56, 62, 63, 96, 104, 108, 126, 176, 192, 224, 248, 249, 252];
    private static readonly int[] EitherPass = [7, 10, 15, 28, 30, 31, 40, 60, 112, 120, 124, 130, 135, 160, 193, 195, 199, 225, 240, 241];

    private static readonly byte[] Removal = BuildTable();

    private static byte[] BuildTable()
    {
        var table = new byte[256];
        foreach (int code in FirstPassOnly)
        {
            table[code] = 1;
        }

        foreach (int code in SecondPassOnly)
        {
            table[code] = 2;
        }

        foreach (int code in EitherPass)
        {
            table[code] = 3;
        }

        return table;
    }

    /// <summary>
    /// Thins a 2-D binary mask to its one-element-wide skeleton, as <c>skimage.morphology.skeletonize</c> does for 2-D
    /// images (8-connected skeleton; elements outside the image count as background).
    /// </summary>
    /// <param name="mask">The mask, row-major over <paramref name="height"/> × <paramref name="width"/>; any non-zero byte is foreground.</param>
    /// <param name="height">The number of rows, at least 1.</param>
    /// <param name="width">The number of columns, at least 1.</param>
    /// <param name="skeleton">Receives the skeleton (0 or 1); as long as <paramref name="mask"/>. May not overlap it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not equal <paramref name="height"/> × <paramref name="width"/>.</exception>
    public static void Skeletonize(ReadOnlySpan<byte> mask, int height, int width, Span<byte> skeleton)
    {
        if (height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"height ({height}) must be at least 1.");
        }

        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"width ({width}) must be at least 1.");
        }

        long count = (long)height * width;
        if (mask.Length != count)
        {
            throw new ArgumentException($"mask length ({mask.Length}) must equal height × width ({count}).", nameof(mask));
        }

        if (skeleton.Length != count)
        {
            throw new ArgumentException($"skeleton length ({skeleton.Length}) must equal height × width ({count}).", nameof(skeleton));
        }

        // A one-element background frame removes the border cases.
        int stride = width + 2;
        var current = new byte[(height + 2) * stride];
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                current[((r + 1) * stride) + c + 1] = mask[(r * width) + c] != 0 ? (byte)1 : (byte)0;
            }
        }

        var next = (byte[])current.Clone();
        bool removed = true;
        while (removed)
        {
            removed = false;
            for (int pass = 1; pass <= 2; pass++)
            {
                for (int r = 1; r <= height; r++)
                {
                    int row = r * stride;
                    for (int i = row + 1; i <= row + width; i++)
                    {
                        if (current[i] == 0)
                        {
                            continue;
                        }

                        int code = current[i - stride - 1]
                            | (current[i - stride] << 1)
                            | (current[i - stride + 1] << 2)
                            | (current[i + 1] << 3)
                            | (current[i + stride + 1] << 4)
                            | (current[i + stride] << 5)
                            | (current[i + stride - 1] << 6)
                            | (current[i - 1] << 7);
                        byte kind = Removal[code];
                        if (kind == 3 || kind == pass)
                        {
                            next[i] = 0;
                            removed = true;
                        }
                    }
                }

                // The removals of a sub-pass take effect together, before the next sub-pass.
                next.AsSpan().CopyTo(current);
            }
        }

        for (int r = 0; r < height; r++)
        {
            current.AsSpan(((r + 1) * stride) + 1, width).CopyTo(skeleton.Slice(r * width, width));
        }
    }

    /// <summary>Thins a 2-D binary mask to its skeleton; see <see cref="Skeletonize(ReadOnlySpan{byte}, int, int, Span{byte})"/>.</summary>
    /// <param name="mask">The mask, row-major over <paramref name="height"/> × <paramref name="width"/>; any non-zero byte is foreground.</param>
    /// <param name="height">The number of rows, at least 1.</param>
    /// <param name="width">The number of columns, at least 1.</param>
    /// <returns>The skeleton (0 or 1), row-major.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">The mask length does not equal <paramref name="height"/> × <paramref name="width"/>.</exception>
    public static byte[] Skeletonize(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"height ({height}) must be at least 1.");
        }

        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"width ({width}) must be at least 1.");
        }

        var skeleton = new byte[mask.Length];
        Skeletonize(mask, height, width, skeleton);
        return skeleton;
    }
}
