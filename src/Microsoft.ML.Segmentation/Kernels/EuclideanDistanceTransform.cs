using System;
using System.Buffers;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Exact Euclidean distance transform of a binary mask in linear time, with anisotropic pixel spacing: for every
/// element, the distance to the nearest element whose mask value is 0, as SciPy's
/// <c>scipy.ndimage.distance_transform_edt(mask, sampling=spacing)</c>.
/// </summary>
/// <remarks>
/// Elements whose mask value is 0 get 0. When the mask holds no 0 at all, every element gets +∞ (SciPy's result is
/// undefined there). The transform runs one exact one-dimensional squared-distance pass per axis, so its cost is
/// linear in the number of elements for any number of dimensions; masks are row-major (the last axis varies fastest).
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class EuclideanDistanceTransform
{
    /// <summary>Computes the Euclidean distance from every pixel of a 2-D mask to the nearest pixel whose value is 0.</summary>
    /// <param name="mask">The mask, row-major <c>[height, width]</c>; any non-zero byte counts as foreground.</param>
    /// <param name="height">The number of rows; at least 1.</param>
    /// <param name="width">The number of columns; at least 1.</param>
    /// <param name="distances">Receives the distances, row-major <c>[height, width]</c>.</param>
    /// <param name="spacingY">The distance between two rows. Default: 1; range: finite, &gt; 0.</param>
    /// <param name="spacingX">The distance between two columns. Default: 1; range: finite, &gt; 0.</param>
    /// <exception cref="ArgumentException">A length does not match <paramref name="height"/> × <paramref name="width"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or a spacing is not finite and positive.</exception>
    public static void Compute(ReadOnlySpan<byte> mask, int height, int width, Span<double> distances, double spacingY = 1, double spacingX = 1)
    {
        Validate(mask, [height, width], [spacingY, spacingX], distances, nameof(distances));
        ComputeSquared(mask, height, width, distances, spacingY, spacingX);
        SquareRoot(distances);
    }

    /// <summary>Computes the squared Euclidean distance from every pixel of a 2-D mask to the nearest pixel whose value is 0.</summary>
    /// <param name="mask">The mask, row-major <c>[height, width]</c>; any non-zero byte counts as foreground.</param>
    /// <param name="height">The number of rows; at least 1.</param>
    /// <param name="width">The number of columns; at least 1.</param>
    /// <param name="squaredDistances">Receives the squared distances, row-major <c>[height, width]</c>.</param>
    /// <param name="spacingY">The distance between two rows. Default: 1; range: finite, &gt; 0.</param>
    /// <param name="spacingX">The distance between two columns. Default: 1; range: finite, &gt; 0.</param>
    /// <exception cref="ArgumentException">A length does not match <paramref name="height"/> × <paramref name="width"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or a spacing is not finite and positive.</exception>
    public static void ComputeSquared(ReadOnlySpan<byte> mask, int height, int width, Span<double> squaredDistances, double spacingY = 1, double spacingX = 1)
    {
        ComputeSquared(mask, [height, width], [spacingY, spacingX], squaredDistances);
    }

    /// <summary>Computes the Euclidean distance from every element of an N-D mask to the nearest element whose value is 0.</summary>
    /// <param name="mask">The mask, row-major over <paramref name="shape"/>; any non-zero byte counts as foreground.</param>
    /// <param name="shape">The size of each axis, each at least 1 (e.g. <c>[depth, height, width]</c>).</param>
    /// <param name="spacing">The element spacing per axis (finite, &gt; 0), or empty for 1 on every axis.</param>
    /// <param name="distances">Receives the distances, row-major over <paramref name="shape"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or a spacing is not finite and positive.</exception>
    public static void Compute(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, Span<double> distances)
    {
        Validate(mask, shape, spacing, distances, nameof(distances));
        ComputeSquared(mask, shape, spacing, distances);
        SquareRoot(distances);
    }

    /// <summary>Computes the squared Euclidean distance from every element of an N-D mask to the nearest element whose value is 0.</summary>
    /// <param name="mask">The mask, row-major over <paramref name="shape"/>; any non-zero byte counts as foreground.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="spacing">The element spacing per axis (finite, &gt; 0), or empty for 1 on every axis.</param>
    /// <param name="squaredDistances">Receives the squared distances, row-major over <paramref name="shape"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or a spacing is not finite and positive.</exception>
    public static void ComputeSquared(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, Span<double> squaredDistances)
    {
        long count = Validate(mask, shape, spacing, squaredDistances, nameof(squaredDistances));
        // Axis 0 first, as whole contiguous rows at a time (cache-friendly): the exact 1-D distance to the nearest zero
        // along axis 0 is a forward and a backward sweep of step counts; then the other axes run the parabola envelope.
        int inner = (int)(count / shape[0]);
        SweepFirstAxis(mask, shape[0], inner, spacing.IsEmpty ? 1 : spacing[0], squaredDistances);
        if (shape.Length == 1)
        {
            return;
        }

        unsafe
        {
            fixed (double* pointer = squaredDistances)
            {
                var values = new NativeSpan<double>(pointer, squaredDistances.Length);
                int stride = 1;
                for (int axis = shape.Length - 1; axis >= 1; axis--)
                {
                    int n = shape[axis];
                    if (n > 1)
                    {
                        TransformAxis(values, (int)count, n, stride, spacing.IsEmpty ? 1 : spacing[axis]);
                    }

                    stride *= n;
                }
            }
        }
    }

    private static void SweepFirstAxis(ReadOnlySpan<byte> mask, int n, int inner, double spacing, Span<double> result)
    {
        for (int x = 0; x < inner; x++)
        {
            result[x] = mask[x] == 0 ? 0 : double.PositiveInfinity;
        }

        for (int row = 1; row < n; row++)
        {
            ReadOnlySpan<byte> m = mask.Slice(row * inner, inner);
            ReadOnlySpan<double> previous = result.Slice((row - 1) * inner, inner);
            Span<double> current = result.Slice(row * inner, inner);
            for (int x = 0; x < inner; x++)
            {
                current[x] = m[x] == 0 ? 0 : previous[x] + 1;
            }
        }

        for (int row = n - 2; row >= 0; row--)
        {
            ReadOnlySpan<double> next = result.Slice((row + 1) * inner, inner);
            Span<double> current = result.Slice(row * inner, inner);
            for (int x = 0; x < inner; x++)
            {
                current[x] = Math.Min(current[x], next[x] + 1);
            }
        }

        for (int i = 0; i < result.Length; i++)
        {
            double steps = result[i] * spacing;
            result[i] = steps * steps;
        }
    }

    /// <summary>Checks the shape, spacing and both lengths; returns the element count.</summary>
    internal static long Validate(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing, Span<double> destination, string destinationName)
    {
        long count = ValidateShape(shape, spacing);
        if (mask.Length != count)
        {
            throw new ArgumentException(
                $"mask length ({mask.Length}) must equal the element count of shape [{string.Join(", ", shape.ToArray())}] ({count}); pass one byte per element.",
                nameof(mask));
        }

        if (destination.Length != count)
        {
            throw new ArgumentException(
                $"{destinationName} length ({destination.Length}) must equal the element count ({count}); allocate one double per element.",
                destinationName);
        }

        return count;
    }

    private static long ValidateShape(ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        if (shape.IsEmpty)
        {
            throw new ArgumentException("shape must have at least one axis; pass [height, width] for an image.", nameof(shape));
        }

        if (!spacing.IsEmpty && spacing.Length != shape.Length)
        {
            throw new ArgumentException(
                $"spacing length ({spacing.Length}) must equal the number of axes ({shape.Length}), or be empty for unit spacing.", nameof(spacing));
        }

        long count = 1;
        for (int axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] < 1)
            {
                throw new ArgumentOutOfRangeException(
                    shape.Length == 2 ? (axis == 0 ? "height" : "width") : nameof(shape), shape[axis],
                    $"The size of axis {axis} ({shape[axis]}) must be at least 1; masks cannot be empty.");
            }

            count *= shape[axis];
            if (!spacing.IsEmpty && !(double.IsFinite(spacing[axis]) && spacing[axis] > 0))
            {
                string name = shape.Length == 2 ? (axis == 0 ? "spacingY" : "spacingX") : nameof(spacing);
                throw new ArgumentOutOfRangeException(
                    name, spacing[axis], $"The spacing of axis {axis} ({spacing[axis]}) must be finite and greater than 0; use 1 for unit pixels.");
            }
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"shape holds {count} elements, more than a span can address ({Array.MaxLength}).", nameof(shape));
        }

        return count;
    }

    /// <summary>
    /// Runs the 1-D transform on every line along one axis (lines of length <paramref name="n"/>, element stride
    /// <paramref name="stride"/>); chunks of lines run in parallel on large inputs, each line written by one worker.
    /// </summary>
    private static void TransformAxis(NativeSpan<double> values, int count, int n, int stride, double spacing)
    {
        int lines = count / n;
        int chunks = Math.Min(lines, Environment.ProcessorCount * 4);
        ParallelWork.For(chunks, count, chunk =>
        {
            int first = (int)((long)lines * chunk / chunks), last = (int)((long)lines * (chunk + 1) / chunks);
            double[] f = ArrayPool<double>.Shared.Rent(n);
            double[] d = ArrayPool<double>.Shared.Rent(n);
            double[] z = ArrayPool<double>.Shared.Rent(n + 1);
            int[] v = ArrayPool<int>.Shared.Rent(n);
            Span<double> all = values.Span;
            for (int line = first; line < last; line++)
            {
                int start = ((line / stride) * n * stride) + (line % stride);
                for (int i = 0; i < n; i++)
                {
                    f[i] = all[start + (i * stride)];
                }

                LowerEnvelope(f, d, z, v, n, spacing);
                for (int i = 0; i < n; i++)
                {
                    all[start + (i * stride)] = d[i];
                }
            }

            ArrayPool<double>.Shared.Return(f);
            ArrayPool<double>.Shared.Return(d);
            ArrayPool<double>.Shared.Return(z);
            ArrayPool<int>.Shared.Return(v);
        });
    }

    // Felzenszwalb & Huttenlocher 2012, "Distance Transforms of Sampled Functions": lower envelope of parabolas.
    private static void LowerEnvelope(double[] f, double[] d, double[] z, int[] v, int n, double spacing)
    {
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q]))
            {
                continue;
            }

            double xq = q * spacing;
            double fq = f[q] + (xq * xq);
            while (k >= 0)
            {
                double xv = v[k] * spacing;
                double s = (fq - (f[v[k]] + (xv * xv))) / (2 * (xq - xv));
                if (s > z[k])
                {
                    k++;
                    v[k] = q;
                    z[k] = s;
                    break;
                }

                k--;
            }

            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
            }
        }

        if (k < 0)
        {
            Array.Fill(d, double.PositiveInfinity, 0, n);
            return;
        }

        z[k + 1] = double.PositiveInfinity;
        int j = 0;
        for (int q = 0; q < n; q++)
        {
            double x = q * spacing;
            while (z[j + 1] < x)
            {
                j++;
            }

            double dx = x - (v[j] * spacing);
            d[q] = (dx * dx) + f[v[j]];
        }
    }

    private static void SquareRoot(Span<double> values)
    {
        System.Numerics.Tensors.TensorPrimitives.Sqrt(values, values);
    }
}
