using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The vectorized sigmoid focal loss: (image, channel) rows in parallel, each in pixel chunks of
/// <see cref="ActivationKernels.ChunkPixels"/> with <see cref="TensorPrimitives"/>. Value and gradient come from one
/// pass because the averaging denominator depends on the target only; <see cref="FocalLossOptions.Normalized"/> needs
/// Σ focal factors first and takes two. Non-finite logits are detected from the sum (the gradient is then unspecified). <see cref="FocalLossScalar.Sigmoid"/> is the reference it must match.
/// </summary>
internal static unsafe class FocalSigmoidKernel
{
    private const int Buffers = 10;

    public static double Run<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, long countedElements, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = shape.Batch * shape.Classes;
        double denominator = terms.Denominator(shape, countedElements, elementwise: true);
        bool normalized = terms.Options.Normalized;
        double[] sums = ArrayPool<double>.Shared.Rent(2 * rows);
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
                bool fused = !gradient.IsEmpty && !normalized;
                (double scale, _) = terms.Scales(0, 0, denominator);
                ParallelWork.For(rows, shape.ElementCount, row =>
                {
                    (sums[2 * row], sums[(2 * row) + 1]) = Row(terms, pinned, x, fused ? g : default, shape, row, scale, 0);
                });

                (double lossSum, double factorSum) = Total(sums, rows);
                if (!double.IsFinite(lossSum))
                {
                    // A NaN or infinite logit makes its BCE, and so the sum, non-finite: only then look for it.
                    FiniteGuard.ThrowIfNotFinite(input, nameof(input));
                }

                if (!gradient.IsEmpty && normalized)
                {
                    (double lossScale, double factorScale) = terms.Scales(lossSum, factorSum, denominator);
                    ParallelWork.For(rows, shape.ElementCount, row => Row(terms, pinned, x, g, shape, row, lossScale, factorScale));
                }

                return terms.Value(lossSum, factorSum, denominator);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>Adds the per-row sums in row order, so the result does not depend on scheduling.</summary>
    private static (double Loss, double Factor) Total(double[] sums, int rows)
    {
        double loss = 0, factor = 0;
        for (int r = 0; r < rows; r++)
        {
            loss += sums[2 * r];
            factor += sums[(2 * r) + 1];
        }

        return (loss, factor);
    }

    /// <summary>
    /// One (image, channel) row: returns (Σ a·f·BCE, Σ f) over its valid elements and, when <paramref name="gradient"/>
    /// is not empty, writes lossScale·a·(f′·p_t′·BCE + f·(p − t)) − factorScale·f′·p_t′ per element (0 where ignored).
    /// </summary>
    private static (double Loss, double Factor) Row<T>(FocalTerms terms, PinnedTarget<T> target, NativeSpan<T> input, NativeSpan<T> gradient, SegmentationShape shape, int row, double lossScale, double factorScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int n = row / shape.Classes;
        int k = row % shape.Classes;
        const int L = ActivationKernels.ChunkPixels;
        T[] rented = ArrayPool<T>.Shared.Rent(Buffers * L);
        try
        {
            double w = terms.ClassWeight(k);
            double? alpha = terms.Options.Alpha;
            bool withGradient = gradient.Length > 0;
            bool normalized = terms.Options.Normalized;
            int gamma = terms.IntegerGamma;
            double lossSum = 0, factorSum = 0;
            for (int start = 0; start < s; start += L)
            {
                int length = Math.Min(L, s - start);
                Span<T> t = rented.AsSpan(0, length);
                Span<T> v = rented.AsSpan(L, length);
                Span<T> p = rented.AsSpan(2 * L, length);
                Span<T> q = rented.AsSpan(3 * L, length);
                Span<T> bce = rented.AsSpan(4 * L, length);
                Span<T> om = rented.AsSpan(5 * L, length);
                Span<T> f = rented.AsSpan(6 * L, length);
                Span<T> df = rented.AsSpan(7 * L, length);
                Span<T> a = rented.AsSpan(8 * L, length);
                Span<T> pMinusT = rented.AsSpan(9 * L, length);
                ReadOnlySpan<T> x = input.Slice((row * s) + start, length);
                bool masked = target.FillChunk(n, k, start, t, v);

                // BCE = (max(x, 0) − x·t) + log1p(e^−|x|) (SigmoidTerms: not softplus(x) − x·t, which rounds confident terms to 0);
                // f and df are free until Factor.
                SigmoidTerms.Compute(x, p, bce, om, f);

                // q = σ(−x) itself: 1 − p rounds a confident element's to 0 or to steps of 2⁻²⁴, and at γ < 1 the
                // factor's slope γ(1 − p_t)^(γ−1) made that error 8 % of a gradient (extreme logits, γ 0.5).
                TensorPrimitives.Negate(x, q);
                TensorPrimitives.Sigmoid(q, q);
                TensorPrimitives.Max(x, T.Zero, om);
                TensorPrimitives.Multiply(x, t, f);
                TensorPrimitives.Subtract(om, f, om);
                TensorPrimitives.Add(bce, om, bce);

                // 1 − p_t = (1 − t)·p + t·q and p − t = (1 − t)·p − t·q: non-negative terms, where p + t·(q − p) and
                // p − t cancelled for a confident element (p ≈ 1 = t).
                TensorPrimitives.Subtract(T.One, t, pMinusT);
                TensorPrimitives.Multiply(pMinusT, p, pMinusT);
                TensorPrimitives.FusedMultiplyAdd(t, q, pMinusT, om);
                TensorPrimitives.Multiply(t, q, a);
                TensorPrimitives.Subtract(pMinusT, a, pMinusT);
                Factor(terms, gamma, om, f, df);
                if (masked)
                {
                    TensorPrimitives.Multiply(f, v, f);
                    TensorPrimitives.Multiply(df, v, df);
                }

                if (alpha is double al)
                {
                    // a = w·(α·t + (1 − α)(1 − t)) = w(1 − α) + t·w(2α − 1).
                    TensorPrimitives.Multiply(t, T.CreateTruncating(w * ((2 * al) - 1)), a);
                    TensorPrimitives.Add(a, T.CreateTruncating(w * (1 - al)), a);
                    TensorPrimitives.Multiply(a, f, om);
                    lossSum += double.CreateTruncating(TensorPrimitives.Dot(om, bce));
                }
                else
                {
                    lossSum += w * double.CreateTruncating(TensorPrimitives.Dot(f, bce));
                }

                if (normalized)
                {
                    factorSum += double.CreateTruncating(TensorPrimitives.Sum(f));
                }

                if (!withGradient)
                {
                    continue;
                }

                // f′·p_t′ with p_t′ = (2t − 1)·p(1 − p), into df.
                TensorPrimitives.Multiply(q, p, q);
                TensorPrimitives.Add(t, t, om);
                TensorPrimitives.Subtract(om, T.One, om);
                TensorPrimitives.Multiply(q, om, q);
                TensorPrimitives.Multiply(df, q, df);

                // u = f′p_t′·BCE + f·(p − t); gradient = lossScale·a·u − factorScale·f′p_t′.
                TensorPrimitives.Multiply(pMinusT, f, q);
                TensorPrimitives.FusedMultiplyAdd(df, bce, q, q);
                Span<T> gRow = gradient.Slice((row * s) + start, length);
                if (alpha is not null)
                {
                    TensorPrimitives.Multiply(q, a, q);
                }

                T scale = T.CreateTruncating(lossScale * (alpha is null ? w : 1));
                if (factorScale != 0)
                {
                    TensorPrimitives.Multiply(q, scale, q);
                    TensorPrimitives.FusedMultiplyAdd(df, T.CreateTruncating(-factorScale), q, gRow);
                }
                else
                {
                    TensorPrimitives.Multiply(q, scale, gRow);
                }
            }

            return (lossSum, factorSum);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>f(p_t) and df/dp_t from 1 − p_t: by multiplication for γ ∈ {0, 1, 2, 3}, else per element as the reference does.</summary>
    internal static void Factor<T>(FocalTerms terms, int gamma, ReadOnlySpan<T> om, Span<T> f, Span<T> df)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (gamma)
        {
            case 0:
                f.Fill(T.One);
                df.Clear();
                return;
            case 1:
                om.CopyTo(f);
                df.Fill(-T.One);
                return;
            case 2:
                TensorPrimitives.Multiply(om, om, f);
                TensorPrimitives.Multiply(om, T.CreateTruncating(-2), df);
                return;
            case 3:
                TensorPrimitives.Multiply(om, om, df);
                TensorPrimitives.Multiply(df, om, f);
                TensorPrimitives.Multiply(df, T.CreateTruncating(-3), df);
                return;
        }

        for (int i = 0; i < om.Length; i++)
        {
            (double factor, double derivative) = terms.FactorOfComplement(Math.Max(0, double.CreateTruncating(om[i])));
            f[i] = T.CreateTruncating(factor);
            df[i] = T.CreateTruncating(derivative);
        }
    }
}
