using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The vectorized binary cross-entropy with logits: (image, channel) rows in parallel, pixel chunks of
/// <see cref="ActivationKernels.ChunkPixels"/>, value and gradient in one pass (the averaging denominator is counted
/// from the target first). <see cref="BinaryCrossEntropyLoss.ComputeScalar"/> is the reference it must match.
/// </summary>
internal static unsafe class BinaryCrossEntropyKernel
{
    private const int Buffers = 7;

    public static double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, long countedElements, Span<T> gradient, double[]? positiveWeights, double[]? classWeights, double smoothing, PointwiseAveraging averaging)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = shape.Batch * shape.Classes;
        double denominator = averaging switch
        {
            PointwiseAveraging.Sum => 1,
            PointwiseAveraging.All => shape.ElementCount,
            _ => countedElements,
        };
        double scale = denominator > 0 ? 1 / denominator : 0;
        double[] sums = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            fixed (T* xp = input)
            fixed (T* gp = gradient)
            fixed (int* lp = target.Labels)
            fixed (T* dp = target.Dense)
            {
                var x = new NativeSpan<T>(xp, input.Length);
                var g = new NativeSpan<T>(gp, gradient.Length);
                var pinned = new PinnedTarget<T>(new NativeSpan<int>(lp, target.Labels.Length), new NativeSpan<T>(dp, target.Dense.Length), target.IsLabelMap, target.IgnoreIndex, shape);
                ParallelWork.For(rows, shape.ElementCount, row =>
                {
                    int k = row % shape.Classes;
                    double pw = ChannelParameters.At(positiveWeights, k, shape.Classes, 1, "options.PositiveWeights");
                    double w = ChannelParameters.At(classWeights, k, shape.Classes, 1, "options.ClassWeights");
                    sums[row] = w * Row(pinned, x, g, shape, row, pw, smoothing, w * scale);
                });
            }

            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += sums[r];
            }

            return sum * scale;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>
    /// One (image, channel) row: returns Σ pw·t′·softplus(−x) + (1 − t′)·softplus(x) over valid elements
    /// (t′ the smoothed target) and writes gradientScale·((1 − t′)·σ(x) − pw·t′·σ(−x)) (0 where ignored).
    /// </summary>
    /// <remarks>
    /// Both loss terms are non-negative: the form softplus(−x)·(pw·t′ + 1 − t′) + (1 − t′)·x is the same number but
    /// subtracts, for t′ = 0, |x| from softplus(−x) ≈ |x|, and on confident logits (|x| ≈ 30) its two float dot products
    /// of ~30 per element cancelled to a relative error of 2.5e−4 on the loss, or to 0 where every logit was confident
    /// (BinaryCrossEntropyVectorizedTests.ConfidentLogitsKeepTheirLossAndGradient under <c>DOTNET_EnableHWIntrinsic=0</c>,
    /// and with positive weights or smoothing, which took this kernel before they took
    /// <see cref="FocalSigmoidVectorKernel"/>'s weighted-target steps, and still do without hardware vectors or in double).
    /// </remarks>
    private static double Row<T>(PinnedTarget<T> target, NativeSpan<T> input, NativeSpan<T> gradient, SegmentationShape shape, int row, double pw, double smoothing, double gradientScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int n = row / shape.Classes;
        int k = row % shape.Classes;
        const int L = ActivationKernels.ChunkPixels;

        // With t′ = t(1 − 2s) + s: 1 − t′ = C + D·t, pw·t′ = E·t + F.
        T c = T.CreateTruncating(1 - smoothing);
        T d = T.CreateTruncating(-(1 - (2 * smoothing)));
        T e = T.CreateTruncating(pw * (1 - (2 * smoothing)));
        T f = T.CreateTruncating(pw * smoothing);
        T gScale = T.CreateTruncating(gradientScale);
        T[] rented = ArrayPool<T>.Shared.Rent(Buffers * L);
        try
        {
            double sum = 0;
            for (int start = 0; start < s; start += L)
            {
                int length = Math.Min(L, s - start);
                Span<T> t = rented.AsSpan(0, length);
                Span<T> v = rented.AsSpan(L, length);
                Span<T> p = rented.AsSpan(2 * L, length);
                Span<T> sp = rented.AsSpan(3 * L, length);
                Span<T> wPos = rented.AsSpan(4 * L, length);
                Span<T> wNeg = rented.AsSpan(5 * L, length);
                Span<T> q = rented.AsSpan(6 * L, length);
                ReadOnlySpan<T> x = input.Slice((row * s) + start, length);
                bool masked = target.FillChunk(n, k, start, t, v);

                // softplus(±x) = max(±x, 0) + log1p(e^−|x|), each relu exact: q takes softplus(x), sp softplus(−x);
                // wNeg and wPos are free until the weights below.
                SigmoidTerms.Compute(x, p, sp, wPos, wNeg);
                TensorPrimitives.Max(x, T.Zero, wPos);
                TensorPrimitives.Add(wPos, sp, q);
                TensorPrimitives.Subtract(wPos, x, wPos);
                TensorPrimitives.Add(sp, wPos, sp);

                // wPos = pw·t′, wNeg = 1 − t′.
                TensorPrimitives.Multiply(t, e, wPos);
                TensorPrimitives.Add(wPos, f, wPos);
                TensorPrimitives.Multiply(t, d, wNeg);
                TensorPrimitives.Add(wNeg, c, wNeg);
                if (masked)
                {
                    TensorPrimitives.Multiply(wPos, v, wPos);
                    TensorPrimitives.Multiply(wNeg, v, wNeg);
                }

                sum += double.CreateTruncating(TensorPrimitives.Dot(sp, wPos)) + double.CreateTruncating(TensorPrimitives.Dot(q, wNeg));
                if (gradient.Length == 0)
                {
                    continue;
                }

                // σ(x)·(pw·t′ + 1 − t′) − pw·t′ = (1 − t′)·σ(x) − pw·t′·σ(−x), both weights already 0 where not counted:
                // σ(x) − 1 would round a confident element's gradient to 0; q is free again after the dot product.
                Span<T> gRow = gradient.Slice((row * s) + start, length);
                TensorPrimitives.Negate(x, q);
                TensorPrimitives.Sigmoid(q, q);
                TensorPrimitives.Multiply(p, wNeg, p);
                TensorPrimitives.Multiply(q, wPos, q);
                TensorPrimitives.Subtract(p, q, p);
                TensorPrimitives.Multiply(p, gScale, gRow);
            }

            return sum;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }
}
