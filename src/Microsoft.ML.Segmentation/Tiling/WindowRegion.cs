using System;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Row-major index arithmetic for axis-aligned boxes inside larger N-d arrays: the kernels walk a box one run of its
/// last axis at a time (<see cref="RunCount"/> runs, <see cref="Advance"/> between them), so that copies and
/// accumulations work on contiguous spans.
/// </summary>
internal static class WindowRegion
{
    /// <summary>The row-major strides of <paramref name="size"/> (last axis 1).</summary>
    public static long[] Strides(ReadOnlySpan<int> size)
    {
        var strides = new long[size.Length];
        long s = 1;
        for (int a = size.Length - 1; a >= 0; a--)
        {
            strides[a] = s;
            s *= size[a];
        }

        return strides;
    }

    /// <summary>The product of the sizes.</summary>
    public static long Count(ReadOnlySpan<int> size)
    {
        long n = 1;
        foreach (int d in size)
        {
            n *= d;
        }

        return n;
    }

    /// <summary>The number of runs along the last axis in a box: the product of all sizes but the last.</summary>
    public static long RunCount(ReadOnlySpan<int> box) => Count(box[..^1]);

    /// <summary>Steps the outer coordinates (all axes but the last) of a box to the next run, row-major.</summary>
    public static void Advance(ReadOnlySpan<int> box, Span<int> outer)
    {
        for (int a = box.Length - 2; a >= 0; a--)
        {
            if (++outer[a] < box[a])
            {
                return;
            }

            outer[a] = 0;
        }
    }

    /// <summary>The offset of a point in an array of <paramref name="strides"/>: Σ (origin + outer)·stride over the outer axes, plus the last axis' origin.</summary>
    public static long Offset(ReadOnlySpan<long> strides, ReadOnlySpan<int> origin, ReadOnlySpan<int> outer)
    {
        int rank = strides.Length;
        long offset = origin[rank - 1];
        for (int a = 0; a < rank - 1; a++)
        {
            offset += (origin[a] + outer[a]) * strides[a];
        }

        return offset;
    }
}
