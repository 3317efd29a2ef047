using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// One symmetry of a 2-D plane (an element of the dihedral group D4), written as an optional transpose followed by
/// optional flips of the rows (top ↔ bottom) and of the columns (left ↔ right): <c>Y = flips(transpose?(X))</c>.
/// The 8 combinations are the 4 rotations × an optional mirror (a 90° counter-clockwise rotation, as
/// <c>torch.rot90</c>, is a transpose then a row flip); without the transpose they are the 4 flip combinations.
/// </summary>
internal readonly record struct WindowTransform(bool Transpose, bool FlipRows, bool FlipColumns)
{
    private static readonly WindowTransform[] Identity = { default };

    private static readonly WindowTransform[] HorizontalFlips = { default, new(false, false, true) };

    private static readonly WindowTransform[] VerticalFlips = { default, new(false, true, false) };

    private static readonly WindowTransform[] AllFlips = { default, new(false, false, true), new(false, true, false), new(false, true, true) };

    private static readonly WindowTransform[] Dihedral =
    {
        default, new(false, false, true), new(false, true, false), new(false, true, true),
        new(true, false, false), new(true, false, true), new(true, true, false), new(true, true, true),
    };

    /// <summary>Whether the transform leaves every pixel where it is.</summary>
    public bool IsIdentity => !Transpose && !FlipRows && !FlipColumns;

    /// <summary>
    /// The transform that undoes this one. Flips and the transpose undo themselves; undoing "transpose, then flip
    /// rows r and columns c" means flipping first and transposing last, which is "transpose, then flip rows c and
    /// columns r" (a row flip before a transpose is a column flip after it).
    /// </summary>
    public WindowTransform Inverse => Transpose ? new(true, FlipColumns, FlipRows) : this;

    /// <summary>The transforms of a flip setting, the identity first.</summary>
    public static IReadOnlyList<WindowTransform> For(TtaFlips flips) => flips switch
    {
        TtaFlips.None => Identity,
        TtaFlips.Horizontal => HorizontalFlips,
        TtaFlips.Vertical => VerticalFlips,
        TtaFlips.HorizontalAndVertical => AllFlips,
        TtaFlips.D4 => Dihedral,
        _ => throw new ArgumentOutOfRangeException(nameof(flips), flips, "Unknown flip setting."),
    };

    /// <summary>The transform's parts, e.g. "transpose, flip rows" (the generated record text would recurse through <see cref="Inverse"/>).</summary>
    public override string ToString()
    {
        string[] parts = new[] { Transpose ? "transpose" : null, FlipRows ? "flip rows" : null, FlipColumns ? "flip columns" : null }.OfType<string>().ToArray();
        return parts.Length == 0 ? "identity" : string.Join(", ", parts);
    }

    /// <summary>The plane size after the transform: height and width swap under a transpose.</summary>
    public (int Height, int Width) SizeOf(int height, int width) => Transpose ? (width, height) : (height, width);

    /// <summary>
    /// Writes the transform of <paramref name="planes"/> consecutive <c>[height, width]</c> planes of
    /// <paramref name="source"/> into <paramref name="destination"/> (planes of <see cref="SizeOf"/>).
    /// </summary>
    /// <remarks>
    /// A permutation, so every path gives the same values: planes on the pool's threads when there are many values,
    /// mirrored rows as a copy and a vectorised reverse, transposes in 16 × 16 blocks (a column read one element per
    /// row touched a cache line per element and was 3 % of a D4-augmented tiling profile).
    /// </remarks>
    public unsafe void Apply(ReadOnlySpan<float> source, int planes, int height, int width, Span<float> destination)
    {
        int plane = height * width;
        if (source.Length < planes * plane || destination.Length < planes * plane)
        {
            throw new ArgumentException($"{planes} planes of {height}x{width} need {planes * plane} values; source holds {source.Length}, destination {destination.Length}.");
        }

        if (IsIdentity)
        {
            source.Slice(0, planes * plane).CopyTo(destination);
            return;
        }

        WindowTransform transform = this;
        fixed (float* from = source)
        fixed (float* to = destination)
        {
            var x = new Kernels.NativeSpan<float>(from, planes * plane);
            var y = new Kernels.NativeSpan<float>(to, planes * plane);
            Kernels.ParallelWork.For(planes, (long)planes * plane, p => transform.ApplyPlane(x.Slice(p * plane, plane), height, width, y.Slice(p * plane, plane)));
        }
    }

    private void ApplyPlane(ReadOnlySpan<float> x, int height, int width, Span<float> y)
    {
        (int outHeight, int outWidth) = SizeOf(height, width);
        if (!Transpose)
        {
            for (int i = 0; i < outHeight; i++)
            {
                Span<float> row = y.Slice(i * outWidth, outWidth);
                x.Slice((FlipRows ? outHeight - 1 - i : i) * width, width).CopyTo(row);
                if (FlipColumns)
                {
                    row.Reverse();
                }
            }

            return;
        }

        // y[i, j] = transpose(X)[a, b] = X[b, a], a = i or its mirror, b = j or its mirror; block by block.
        const int Block = 16;
        for (int i0 = 0; i0 < outHeight; i0 += Block)
        {
            int i1 = Math.Min(i0 + Block, outHeight);
            for (int j0 = 0; j0 < outWidth; j0 += Block)
            {
                int j1 = Math.Min(j0 + Block, outWidth);
                for (int i = i0; i < i1; i++)
                {
                    int a = FlipRows ? outHeight - 1 - i : i;
                    Span<float> row = y.Slice(i * outWidth, outWidth);
                    for (int j = j0; j < j1; j++)
                    {
                        int b = FlipColumns ? outWidth - 1 - j : j;
                        row[j] = x[(b * width) + a];
                    }
                }
            }
        }
    }
}
