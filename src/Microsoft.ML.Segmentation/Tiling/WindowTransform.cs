using System;
using System.Collections.Generic;

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

    /// <summary>The plane size after the transform: height and width swap under a transpose.</summary>
    public (int Height, int Width) SizeOf(int height, int width) => Transpose ? (width, height) : (height, width);

    /// <summary>
    /// Writes the transform of <paramref name="planes"/> consecutive <c>[height, width]</c> planes of
    /// <paramref name="source"/> into <paramref name="destination"/> (planes of <see cref="SizeOf"/>).
    /// </summary>
    public void Apply(ReadOnlySpan<float> source, int planes, int height, int width, Span<float> destination)
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

        (int outHeight, int outWidth) = SizeOf(height, width);
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = source.Slice(p * plane, plane);
            Span<float> y = destination.Slice(p * plane, plane);
            for (int i = 0; i < outHeight; i++)
            {
                // (a, b): the pixel of transpose?(X) that lands on row i after the flips.
                int a = FlipRows ? outHeight - 1 - i : i;
                Span<float> row = y.Slice(i * outWidth, outWidth);
                if (Transpose)
                {
                    // transpose(X)[a, b] = X[b, a]: a column of X.
                    for (int j = 0; j < outWidth; j++)
                    {
                        int b = FlipColumns ? outWidth - 1 - j : j;
                        row[j] = x[(b * width) + a];
                    }
                }
                else
                {
                    ReadOnlySpan<float> sourceRow = x.Slice(a * width, width);
                    if (FlipColumns)
                    {
                        for (int j = 0; j < outWidth; j++)
                        {
                            row[j] = sourceRow[outWidth - 1 - j];
                        }
                    }
                    else
                    {
                        sourceRow.CopyTo(row);
                    }
                }
            }
        }
    }
}
