using System;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>Surfaces of masks and the distances between them, over the bounding box of two masks.</summary>
internal static class SurfaceGeometry
{
    /// <summary>Writes mask XOR erosion(mask) with a cross structuring element and a zero border.</summary>
    public static void Edges(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, Span<byte> edges)
    {
        int rank = shape.Length;
        Span<int> strides = stackalloc int[rank];
        Span<int> coords = stackalloc int[rank];
        int stride = 1;
        for (int a = rank - 1; a >= 0; a--)
        {
            strides[a] = stride;
            stride *= shape[a];
        }

        coords.Clear();
        for (int i = 0; i < mask.Length; i++)
        {
            byte edge = 0;
            if (mask[i] != 0)
            {
                for (int a = 0; a < rank; a++)
                {
                    if (coords[a] == 0 || coords[a] == shape[a] - 1 || mask[i - strides[a]] == 0 || mask[i + strides[a]] == 0)
                    {
                        edge = 1;
                        break;
                    }
                }
            }

            edges[i] = edge;
            for (int a = rank - 1; a >= 0; a--)
            {
                if (++coords[a] < shape[a])
                {
                    break;
                }

                coords[a] = 0;
            }
        }
    }

    /// <summary>
    /// Directed surface distances from <paramref name="from"/> to <paramref name="to"/> and, when asked, back;
    /// computed on the bounding box of the union with a margin of one element (MONAI's crop), which changes no distance.
    /// </summary>
    public static (double[] FromTo, double[]? ToFrom) Distances(
        ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<int> shape, BoundaryMetricOptions options, bool bothDirections)
    {
        int rank = shape.Length;
        ReadOnlySpan<double> spacing = options.Spacing ?? [];
        if (!spacing.IsEmpty && spacing.Length != rank)
        {
            throw new ArgumentException($"options.Spacing has {spacing.Length} values but the masks have {rank} axes; give one spacing per axis.", nameof(options));
        }

        foreach (double s in spacing)
        {
            if (!(double.IsFinite(s) && s > 0))
            {
                throw new ArgumentException($"options.Spacing holds {s}; every spacing must be finite and greater than 0.", nameof(options));
            }
        }

        var lo = new int[rank];
        var hi = new int[rank];
        Array.Fill(lo, int.MaxValue);
        Array.Fill(hi, -1);
        Span<int> coords = stackalloc int[rank];
        coords.Clear();
        for (int i = 0; i < from.Length; i++)
        {
            if (from[i] != 0 || to[i] != 0)
            {
                for (int a = 0; a < rank; a++)
                {
                    lo[a] = Math.Min(lo[a], coords[a]);
                    hi[a] = Math.Max(hi[a], coords[a]);
                }
            }

            Advance(coords, shape);
        }

        if (hi[0] < 0)
        {
            return ([], bothDirections ? [] : null);
        }

        var box = new int[rank];
        int boxCount = 1;
        for (int a = 0; a < rank; a++)
        {
            lo[a] = Math.Max(0, lo[a] - 1);
            hi[a] = Math.Min(shape[a] - 1, hi[a] + 1);
            box[a] = hi[a] - lo[a] + 1;
            boxCount *= box[a];
        }

        byte[] fromBox = Crop(from, shape, lo, box, boxCount);
        byte[] toBox = Crop(to, shape, lo, box, boxCount);
        var fromEdges = new byte[boxCount];
        var toEdges = new byte[boxCount];
        Edges(fromBox, box, fromEdges);
        Edges(toBox, box, toEdges);
        int fromCount = CountNonZero(fromEdges), toCount = CountNonZero(toEdges);

        // The distance map is built lazily and shared between the directions' scratch.
        double[] scratch = new double[boxCount];
        double[] fromTo = Directed(fromEdges, fromCount, toEdges, toCount, box, spacing, options.Metric, scratch, fromBox);
        double[]? toFrom = bothDirections ? Directed(toEdges, toCount, fromEdges, fromCount, box, spacing, options.Metric, scratch, fromBox) : null;
        return (fromTo, toFrom);
    }

    private static double[] Directed(byte[] sourceEdges, int sourceCount, byte[] targetEdges, int targetCount, int[] box, ReadOnlySpan<double> spacing, DistanceMetric metric, double[] scratch, byte[] buffer)
    {
        if (targetCount == 0)
        {
            return Infinities(sourceCount);
        }

        if (sourceCount == 0)
        {
            return Infinities(targetCount);
        }

        for (int i = 0; i < targetEdges.Length; i++)
        {
            buffer[i] = targetEdges[i] != 0 ? (byte)0 : (byte)1;
        }

        DistanceTransform.Compute(buffer, box, spacing, metric, scratch);
        var result = new double[sourceCount];
        for (int i = 0, k = 0; i < sourceEdges.Length; i++)
        {
            if (sourceEdges[i] != 0)
            {
                result[k++] = scratch[i];
            }
        }

        return result;
    }

    private static double[] Infinities(int count)
    {
        var result = new double[count];
        Array.Fill(result, double.PositiveInfinity);
        return result;
    }

    private static int CountNonZero(byte[] values)
    {
        int n = 0;
        foreach (byte v in values)
        {
            n += v != 0 ? 1 : 0;
        }

        return n;
    }

    private static byte[] Crop(ReadOnlySpan<byte> source, ReadOnlySpan<int> shape, int[] lo, int[] box, int boxCount)
    {
        int rank = shape.Length;
        var result = new byte[boxCount];
        Span<int> c = stackalloc int[rank];
        c.Clear();
        for (int k = 0; k < boxCount; k++)
        {
            int index = 0;
            for (int a = 0; a < rank; a++)
            {
                index = (index * shape[a]) + lo[a] + c[a];
            }

            result[k] = source[index] != 0 ? (byte)1 : (byte)0;
            Advance(c, box);
        }

        return result;
    }

    private static void Advance(Span<int> coords, ReadOnlySpan<int> shape)
    {
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            if (++coords[a] < shape[a])
            {
                return;
            }

            coords[a] = 0;
        }
    }
}
