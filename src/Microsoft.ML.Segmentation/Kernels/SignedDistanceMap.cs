using System;
using System.Buffers;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// The signed distance map of Kervadec et al.'s boundary loss (reference <c>one_hot2dist</c>): for a class mask,
/// outside elements get their Euclidean distance to the nearest element of the class (positive), inside elements
/// get −(distance to the nearest outside element − 1), so 0 on the inner border and negative deeper inside; an empty
/// class gets a map of zeros.
/// </summary>
/// <remarks>
/// Distances are exact (<see cref="EuclideanDistanceTransform"/>) with an optional spacing per axis (the reference's
/// <c>resolution</c>). A mask covering every element has no outside: see <see cref="FullMaskDistance"/>. The reference's
/// training pipeline stores the maps as int32, which truncates every distance toward 0; <c>truncate</c> reproduces it.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class SignedDistanceMap
{
    /// <summary>Computes the signed distance map of one class mask.</summary>
    /// <param name="mask">The class mask, row-major over <paramref name="shape"/>; any non-zero byte is inside.</param>
    /// <param name="shape">The size of each axis (for example <c>[height, width]</c>), each at least 1.</param>
    /// <param name="spacing">The element spacing per axis (finite, &gt; 0), or empty for 1 on every axis.</param>
    /// <param name="map">Receives the map, row-major over <paramref name="shape"/>.</param>
    /// <param name="fullMask">The inside distance used when the mask covers every element. Default: <see cref="FullMaskDistance.Zero"/>.</param>
    /// <param name="truncate">Truncate every value toward 0 (the reference pipeline's int32 maps). Default: <see langword="false"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, a spacing is not finite and positive, or <paramref name="fullMask"/> is unknown.</exception>
    public static void Compute(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, Span<double> map,
        FullMaskDistance fullMask = FullMaskDistance.Zero, bool truncate = false)
    {
        if (!Enum.IsDefined(fullMask))
        {
            throw new ArgumentOutOfRangeException(nameof(fullMask), fullMask, "Unknown full-mask distance.");
        }

        long count = EuclideanDistanceTransform.Validate(mask, shape, spacing, map, nameof(map));
        int inside = 0;
        foreach (byte b in mask)
        {
            inside += b != 0 ? 1 : 0;
        }

        map.Clear();
        if (inside == 0)
        {
            return; // the reference skips classes with no pixel
        }

        if (inside == count)
        {
            if (fullMask == FullMaskDistance.ScipyVirtualOutside)
            {
                VirtualOutside(shape, spacing, map);
                Finish(map, truncate);
            }

            return;
        }

        if (shape.Length == 2 && IsUnit(spacing) && TwoSidedDistance.Supports(shape[0], shape[1]))
        {
            // Outside, the distance to the class; inside, 1 − the distance to the outside: both are the distance to
            // the nearest pixel of the other side, found by one transform.
            TwoSidedDistance.ComputeSquared(mask, shape[0], shape[1], map);
            System.Numerics.Tensors.TensorPrimitives.Sqrt(map, map);
            for (int i = 0; i < map.Length; i++)
            {
                map[i] = mask[i] != 0 ? 1 - map[i] : map[i];
            }

            Finish(map, truncate);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)count);
        double[] work = ArrayPool<double>.Shared.Rent((int)count);
        try
        {
            Span<byte> outside = rented.AsSpan(0, (int)count);
            Span<double> distances = work.AsSpan(0, (int)count);
            for (int i = 0; i < outside.Length; i++)
            {
                outside[i] = mask[i] != 0 ? (byte)0 : (byte)1;
            }

            // Outside elements: distance to the class; inside elements: −(distance to the outside − 1).
            EuclideanDistanceTransform.Compute(outside, shape, spacing, map);
            EuclideanDistanceTransform.Compute(mask, shape, spacing, distances);
            for (int i = 0; i < map.Length; i++)
            {
                if (mask[i] != 0)
                {
                    map[i] = 1 - distances[i]; // −(d − 1), without a −0 on the border
                }
            }

            Finish(map, truncate);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
            ArrayPool<double>.Shared.Return(work);
        }
    }

    /// <summary>Computes the signed distance map of a 2-D class mask (see the N-D overload).</summary>
    /// <param name="mask">The class mask, row-major <c>[height, width]</c>.</param>
    /// <param name="height">The number of rows; at least 1.</param>
    /// <param name="width">The number of columns; at least 1.</param>
    /// <param name="map">Receives the map, row-major <c>[height, width]</c>.</param>
    /// <param name="fullMask">The inside distance used when the mask covers every element. Default: <see cref="FullMaskDistance.Zero"/>.</param>
    /// <param name="truncate">Truncate every value toward 0. Default: <see langword="false"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static void Compute(ReadOnlySpan<byte> mask, int height, int width, Span<double> map,
        FullMaskDistance fullMask = FullMaskDistance.Zero, bool truncate = false)
        => Compute(mask, [height, width], [], map, fullMask, truncate);

    /// <summary>−(distance to the element one step before index 0 of axis 0 − 1), SciPy's all-true result.</summary>
    private static void VirtualOutside(ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, Span<double> map)
    {
        Span<int> index = stackalloc int[shape.Length];
        for (int i = 0; i < map.Length; i++)
        {
            double squared = 0;
            for (int axis = 0; axis < shape.Length; axis++)
            {
                double steps = (axis == 0 ? index[axis] + 1 : index[axis]) * (spacing.IsEmpty ? 1 : spacing[axis]);
                squared += steps * steps;
            }

            map[i] = 1 - Math.Sqrt(squared);
            for (int axis = shape.Length - 1; axis >= 0; axis--)
            {
                if (++index[axis] < shape[axis])
                {
                    break;
                }

                index[axis] = 0;
            }
        }
    }

    private static bool IsUnit(ReadOnlySpan<double> spacing)
    {
        foreach (double d in spacing)
        {
            if (d != 1)
            {
                return false;
            }
        }

        return true;
    }

    private static void Finish(Span<double> map, bool truncate)
    {
        if (truncate)
        {
            for (int i = 0; i < map.Length; i++)
            {
                map[i] = Math.Truncate(map[i]) + 0.0; // + 0.0 turns −0 into 0
            }
        }
    }
}
