using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The vectorized softmax focal loss: (image, pixel chunk) items in parallel; per chunk the channel
/// max, exp(x − max) of every channel (kept for the gradient), their sum, then the per-pixel focal terms of the
/// gathered target channel. With one target channel k* per pixel the gradient is (δ_jk* − p_j)·W, so every channel
/// row is one multiply plus a scatter into the target channel. <see cref="FocalLossScalar.Softmax"/> is the reference.
/// </summary>
internal static unsafe partial class FocalSoftmaxKernel
{
    private const int PixelBuffers = 8;

    public static double Run<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int? ignore = target.IgnoreIndex;
        long validPixels = target.IsLabelMap ? shape.PixelCount - (ignore is int i ? target.Labels.Count(i) : 0) : CountValidPixels(target.Dense, shape);
        double denominator = terms.Denominator(shape, validPixels, elementwise: false);
        bool normalized = terms.Options.Normalized;
        int chunks = ActivationKernels.ChunkCount(shape);
        int items = shape.Batch * chunks;
        double[] sums = ArrayPool<double>.Shared.Rent(2 * items);
        double[] weights = new double[shape.Classes];
        for (int k = 0; k < weights.Length; k++)
        {
            weights[k] = terms.SoftmaxWeight(k);
        }

        try
        {
            fixed (T* xp = input)
            fixed (T* gp = gradient)
            fixed (int* lp = target.Labels)
            fixed (T* dp = target.Dense)
            {
                var dense = new NativeSpan<T>(dp, target.Dense.Length);
                bool isLabelMap = target.IsLabelMap;
                var x = new NativeSpan<T>(xp, input.Length);
                var g = new NativeSpan<T>(gp, gradient.Length);
                var labels = new NativeSpan<int>(lp, target.Labels.Length);
                int ignoreValue = ignore ?? int.MinValue;
                bool fused = !gradient.IsEmpty && !normalized;
                (double scale, _) = terms.Scales(0, 0, denominator);
                ParallelWork.For(items, shape.ElementCount, item =>
                {
                    (sums[2 * item], sums[(2 * item) + 1]) = isLabelMap
                        ? Chunk(terms, weights, x, labels, ignoreValue, fused ? g : default, shape, chunks, item, scale, 0)
                        : DenseChunk(terms, weights, x, dense, fused ? g : default, shape, chunks, item, scale, 0);
                });

                double lossSum = 0, factorSum = 0;
                for (int item = 0; item < items; item++)
                {
                    lossSum += sums[2 * item];
                    factorSum += sums[(2 * item) + 1];
                }

                if (!gradient.IsEmpty && normalized)
                {
                    (double lossScale, double factorScale) = terms.Scales(lossSum, factorSum, denominator);
                    ParallelWork.For(items, shape.ElementCount, item =>
                    {
                        _ = isLabelMap
                            ? Chunk(terms, weights, x, labels, ignoreValue, g, shape, chunks, item, lossScale, factorScale)
                            : DenseChunk(terms, weights, x, dense, g, shape, chunks, item, lossScale, factorScale);
                    });
                }

                return terms.Value(lossSum, factorSum, denominator);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>
    /// One pixel chunk of one image: returns (Σ a·f(p*)·(−log p*), Σ f(p*)) over its valid pixels and, when
    /// <paramref name="gradient"/> is not empty, writes (δ_jk* − p_j)·W with W = lossScale·a·(−p*f′log p* − f) − factorScale·p*f′.
    /// </summary>
    private static (double Loss, double Factor) Chunk<T>(FocalTerms terms, double[] weights, NativeSpan<T> input, NativeSpan<int> labels, int ignore, NativeSpan<T> gradient, SegmentationShape shape, int chunks, int item, double lossScale, double factorScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int start, int length) = ActivationKernels.ChunkOf(shape, chunks, item);
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        const int L = ActivationKernels.ChunkPixels;
        bool withGradient = gradient.Length > 0;
        T[] rented = ArrayPool<T>.Shared.Rent(((withGradient ? c : 0) + PixelBuffers) * L);
        try
        {
            Span<T> max = rented.AsSpan(0, length);
            Span<T> sum = rented.AsSpan(L, length);
            Span<T> lp = rented.AsSpan(2 * L, length);
            Span<T> p = rented.AsSpan(3 * L, length);
            Span<T> a = rented.AsSpan(4 * L, length);
            Span<T> f = rented.AsSpan(5 * L, length);
            Span<T> df = rented.AsSpan(6 * L, length);
            Span<T> tmp = rented.AsSpan(7 * L, length);
            ReadOnlySpan<int> label = labels.Slice((n * s) + start, length);

            input.Slice(image + start, length).CopyTo(max);
            for (int k = 1; k < c; k++)
            {
                TensorPrimitives.Max(max, input.Slice(image + (k * s) + start, length), max);
            }

            sum.Clear();
            for (int k = 0; k < c; k++)
            {
                Span<T> e = withGradient ? rented.AsSpan((PixelBuffers + k) * L, length) : tmp;
                TensorPrimitives.Subtract(input.Slice(image + (k * s) + start, length), max, e);
                TensorPrimitives.Exp(e, e);
                TensorPrimitives.Add(sum, e, sum);
            }

            // Gather the target channel: log p* = x_k* − max − log Σ; a = class weight (0 where ignored).
            ReadOnlySpan<T> x = input.Span;
            TensorPrimitives.Log(sum, tmp);
            TensorPrimitives.Add(max, tmp, max);
            for (int i = 0; i < length; i++)
            {
                int k = label[i];
                bool valid = k != ignore;
                lp[i] = valid ? x[image + (k * s) + start + i] : max[i];
                a[i] = valid ? T.CreateTruncating(weights[k]) : T.Zero;
            }

            TensorPrimitives.Subtract(lp, max, lp);
            TensorPrimitives.Min(lp, T.Zero, lp); // rounding can leave log p* a hair above 0, and p* above 1
            TensorPrimitives.Exp(lp, p);
            TensorPrimitives.Subtract(T.One, p, tmp);
            FocalSigmoidKernel.Factor(terms, terms.IntegerGamma, tmp, f, df);

            // Σ a·f·(−log p*); Σ f over valid pixels (a is 0 exactly where a pixel is ignored or weighs 0, so count those apart).
            TensorPrimitives.Multiply(a, f, tmp);
            double lossSum = -double.CreateTruncating(TensorPrimitives.Dot(tmp, lp));
            double factorSum = 0;
            if (terms.Options.Normalized)
            {
                for (int i = 0; i < length; i++)
                {
                    factorSum += label[i] != ignore ? double.CreateTruncating(f[i]) : 0;
                }
            }

            if (!withGradient)
            {
                return (lossSum, factorSum);
            }

            // W = lossScale·a·(−p f′ log p − f) − factorScale·p·f′ (p f′ is 0 where ignored only through the mask below).
            TensorPrimitives.Multiply(p, df, df);
            TensorPrimitives.Multiply(df, lp, tmp);
            TensorPrimitives.Add(tmp, f, tmp);
            TensorPrimitives.Multiply(tmp, a, tmp);
            TensorPrimitives.Multiply(tmp, T.CreateTruncating(-lossScale), tmp);
            if (factorScale != 0)
            {
                for (int i = 0; i < length; i++)
                {
                    df[i] = label[i] != ignore ? df[i] : T.Zero;
                }

                TensorPrimitives.FusedMultiplyAdd(df, T.CreateTruncating(-factorScale), tmp, tmp);
            }

            // g_j = −p_j·W = e_j·(−W/Σ), then + W on the target channel.
            TensorPrimitives.Divide(tmp, sum, sum);
            TensorPrimitives.Negate(sum, sum);
            for (int k = 0; k < c; k++)
            {
                TensorPrimitives.Multiply(rented.AsSpan((PixelBuffers + k) * L, length), sum, gradient.Slice(image + (k * s) + start, length));
            }

            Span<T> g = gradient.Span;
            for (int i = 0; i < length; i++)
            {
                int k = label[i];
                if (k != ignore)
                {
                    g[image + (k * s) + start + i] += tmp[i];
                }
            }

            return (lossSum, factorSum);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }
}
