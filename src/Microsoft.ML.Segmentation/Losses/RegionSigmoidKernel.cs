using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The overlap losses with sigmoid logits against a label map of two or more classes (MONAI's
/// <c>DiceLoss(sigmoid=True, to_onehot_y=True)</c>): one pass over the logits that checks them, takes σ, adds each
/// class's statistics and, when a gradient is wanted, leaves p where the gradient goes, then one pass that turns p into
/// ∂L/∂x = p(1 − p)·∂L/∂p in place, with <see cref="RegionSoftmaxKernel"/>'s blocks, sums and per-class gradient.
/// </summary>
/// <remarks>
/// Why: the general path (a finite check, σ into a rented copy, the statistics, ∂L/∂p with a scatter of the label
/// terms, σ's backward) moved the tensor through memory about eight times; Dice with sigmoid took 18–24 ms on
/// [8, 21, 256, 256] against 10 with softmax, which is fused (AVX2, README <i>Overlap losses with sigmoid</i>).
/// Work items and the order of the sums are <see cref="RegionSoftmaxKernel"/>'s: the result does not depend on the
/// thread count. A single channel (binary, its target label 1) keeps the general path.
/// </remarks>
internal static class RegionSigmoidKernel
{
    /// <summary>
    /// Fills <paramref name="stats"/> (N·C) with the statistics of σ(<paramref name="logits"/>) against the label map;
    /// when <paramref name="probabilities"/> is not empty (the gradient buffer), also writes σ into it for
    /// <see cref="Backward{T}"/>. Returns <see langword="false"/> (and nothing usable) when a logit is not finite.
    /// </summary>
    public static unsafe bool Forward<T>(ReadOnlySpan<T> logits, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, bool needL1,
        Span<RegionStatistics> stats, Span<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = RegionSoftmaxKernel.BlockPixels;
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = RegionSoftmaxKernel.ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var partials = new double[items * c * RegionSoftmaxKernel.Sums];
        var validCounts = new long[items];
        var finite = new bool[items];
        bool keep = !probabilities.IsEmpty;
        fixed (T* xp = logits)
        fixed (int* lp = labels)
        fixed (T* pp = probabilities)
        {
            var x = new NativeSpan<T>(xp, logits.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var prob = new NativeSpan<T>(pp, probabilities.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = RegionSoftmaxKernel.ItemRange(shape, perImage, item);
                T[] rented = ArrayPool<T>.Shared.Rent(5 * block);
                try
                {
                    Span<T> buffer = rented;
                    Span<T> p = buffer[..block];
                    Span<T> max = buffer.Slice(block, block); // unused maximum of the finite check
                    Span<T> ones = buffer.Slice(2 * block, block);
                    Span<T> label = buffer.Slice(3 * block, block);
                    Span<T> valid = buffer.Slice(4 * block, block);
                    ones.Fill(T.One);
                    Span<double> part = partials.AsSpan(item * c * RegionSoftmaxKernel.Sums, c * RegionSoftmaxKernel.Sums);
                    bool ok = true;
                    long validCount = 0;
                    for (int b = start; b < end; b += block)
                    {
                        int len = Math.Min(block, end - b);
                        validCount += RegionSoftmaxKernel.LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
                        for (int k = 0; k < c; k++)
                        {
                            int row = (((n * c) + k) * s) + b;
                            ok &= RegionVectorMath.CopyMaxAndCheckFinite(x.Span.Slice(row, len), p[..len], max[..len], first: true);
                            TensorPrimitives.Sigmoid(p[..len], p[..len]);
                            RegionSoftmaxKernel.AccumulateClass<T>(p[..len], ones[..len], label[..len], valid[..len], k, needL1,
                                part.Slice(k * RegionSoftmaxKernel.Sums, RegionSoftmaxKernel.Sums), keep ? prob.Slice(row, len) : default);
                        }
                    }

                    validCounts[item] = validCount;
                    finite[item] = ok;
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(rented);
                }
            });
        }

        if (Array.IndexOf(finite, false) >= 0)
        {
            return false;
        }

        RegionSoftmaxKernel.Assemble(partials, validCounts, shape, perImage, stats);
        return true;
    }

    /// <summary>
    /// Turns the σ that <see cref="Forward{T}"/> left in <paramref name="gradient"/> into ∂loss/∂logits from per-region
    /// coefficients (N·C): ∂L/∂p as <see cref="RegionSoftmaxKernel.ClassGradient{T}"/> takes it, times p(1 − p); 0 where ignored.
    /// </summary>
    public static unsafe void Backward<T>(SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, ReadOnlySpan<RegionGradient> coefficients, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = RegionSoftmaxKernel.BlockPixels;
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int perImage = RegionSoftmaxKernel.ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var coef = new RegionSoftmaxKernel.ClassCoefficients<T>[coefficients.Length];
        for (int i = 0; i < coef.Length; i++)
        {
            coef[i] = new RegionSoftmaxKernel.ClassCoefficients<T>(coefficients[i]);
        }

        fixed (int* lp = labels)
        fixed (T* gp = gradient)
        {
            var l = new NativeSpan<int>(lp, labels.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            ParallelWork.For(items, shape.ElementCount, item =>
            {
                (int n, int start, int end) = RegionSoftmaxKernel.ItemRange(shape, perImage, item);
                T[] rented = ArrayPool<T>.Shared.Rent(4 * block);
                try
                {
                    Span<T> buffer = rented;
                    Span<T> p = buffer[..block];
                    Span<T> zero = buffer.Slice(block, block); // no softmax dot product: σ's Jacobian is diagonal
                    Span<T> label = buffer.Slice(2 * block, block);
                    Span<T> valid = buffer.Slice(3 * block, block);
                    zero.Clear();
                    for (int b = start; b < end; b += block)
                    {
                        int len = Math.Min(block, end - b);
                        RegionSoftmaxKernel.LabelsAsValues(l.Span.Slice((n * s) + b, len), ignore, label, valid);
                        for (int k = 0; k < c; k++)
                        {
                            Span<T> row = g.Slice((((n * c) + k) * s) + b, len);
                            row.CopyTo(p);
                            RegionSoftmaxKernel.ClassGradient<T>(p[..len], label[..len], valid[..len], k, coef[(n * c) + k], zero[..len], row); // p·∂L/∂p
                            TensorPrimitives.Subtract(T.One, p[..len], p[..len]);
                            TensorPrimitives.Multiply(row, p[..len], row); // p(1 − p)·∂L/∂p
                        }
                    }
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(rented);
                }
            });
        }
    }
}
