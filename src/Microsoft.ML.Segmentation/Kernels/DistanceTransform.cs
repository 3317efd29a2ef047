using System;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Distance transforms of a binary mask in any metric of <see cref="DistanceMetric"/>: for every element, the distance
/// to the nearest element whose mask value is 0 (0 there; +∞ everywhere when the mask has no 0).
/// </summary>
/// <remarks>
/// Euclidean distances come from <see cref="EuclideanDistanceTransform"/> and honour the spacing. Taxicab and
/// chessboard distances count index steps and ignore the spacing, as SciPy's <c>distance_transform_cdt</c> (and MONAI,
/// which calls it) do; both are exact and linear in the number of elements.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class DistanceTransform
{
    /// <summary>Computes the distance from every element of an N-D mask to the nearest element whose value is 0.</summary>
    /// <param name="mask">The mask, row-major over <paramref name="shape"/>; any non-zero byte counts as foreground.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="spacing">The element spacing per axis (finite, &gt; 0; Euclidean only), or empty for 1 on every axis.</param>
    /// <param name="metric">The distance metric.</param>
    /// <param name="distances">Receives the distances, row-major over <paramref name="shape"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape, or the metric is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or a spacing is not finite and positive.</exception>
    public static void Compute(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, DistanceMetric metric, Span<double> distances)
    {
        switch (metric)
        {
            case DistanceMetric.Euclidean:
                EuclideanDistanceTransform.Compute(mask, shape, spacing, distances);
                return;
            case DistanceMetric.Taxicab:
            case DistanceMetric.Chessboard:
                EuclideanDistanceTransform.Validate(mask, shape, spacing, distances, nameof(distances));
                StepTransform(mask, shape, metric == DistanceMetric.Chessboard, distances);
                return;
            default:
                throw new ArgumentException($"metric ({metric}) is not a defined DistanceMetric; use Euclidean, Taxicab or Chessboard.", nameof(metric));
        }
    }

    // Rosenfeld & Pfaltz 1966, "Sequential operations in digital picture processing": two raster passes with unit steps.
    private static void StepTransform(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, bool chessboard, Span<double> d)
    {
        int rank = shape.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int a = rank - 1; a >= 0; a--)
        {
            strides[a] = stride;
            stride *= shape[a];
        }

        // Neighbour offsets that come earlier in raster order (first non-zero component is -1); the backward pass negates them.
        var offsets = new System.Collections.Generic.List<int[]>();
        int combos = 1;
        for (int a = 0; a < rank; a++)
        {
            combos *= 3;
        }

        for (int c = 0; c < combos; c++)
        {
            var o = new int[rank];
            int rest = c, nonZero = 0, first = 0;
            for (int a = rank - 1; a >= 0; a--)
            {
                o[a] = (rest % 3) - 1;
                rest /= 3;
            }

            for (int a = 0; a < rank; a++)
            {
                if (o[a] != 0)
                {
                    nonZero++;
                    if (first == 0)
                    {
                        first = o[a];
                    }
                }
            }

            if (first == -1 && (chessboard || nonZero == 1))
            {
                offsets.Add(o);
            }
        }

        for (int i = 0; i < d.Length; i++)
        {
            d[i] = mask[i] == 0 ? 0 : double.PositiveInfinity;
        }

        var coords = new int[rank];
        Pass(d, shape, strides, offsets, coords, forward: true);
        Pass(d, shape, strides, offsets, coords, forward: false);
    }

    private static void Pass(Span<double> d, ReadOnlySpan<int> shape, int[] strides, System.Collections.Generic.List<int[]> offsets, int[] coords, bool forward)
    {
        int rank = shape.Length, sign = forward ? 1 : -1;
        for (int a = 0; a < rank; a++)
        {
            coords[a] = forward ? 0 : shape[a] - 1;
        }

        for (int step = 0, i = forward ? 0 : d.Length - 1; step < d.Length; step++, i += sign)
        {
            double best = d[i];
            if (best != 0)
            {
                foreach (int[] o in offsets)
                {
                    int j = i;
                    bool inside = true;
                    for (int a = 0; a < rank && inside; a++)
                    {
                        int c = coords[a] + (sign * o[a]);
                        inside = c >= 0 && c < shape[a];
                        j += sign * o[a] * strides[a];
                    }

                    if (inside && d[j] + 1 < best)
                    {
                        best = d[j] + 1;
                    }
                }

                d[i] = best;
            }

            for (int a = rank - 1; a >= 0; a--)
            {
                coords[a] += sign;
                if (coords[a] >= 0 && coords[a] < shape[a])
                {
                    break;
                }

                coords[a] = forward ? 0 : shape[a] - 1;
            }
        }
    }
}
