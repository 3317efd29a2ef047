using System;
using System.Buffers;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The scalar reference implementation of <see cref="FocalLoss"/>: one term at a time, in <see cref="double"/>.
/// Used for <see cref="FocalLoss.ComputeTerms"/> and by tests that check the vectorized kernels against it.
/// </summary>
internal static class FocalLossScalar
{
    public static double Sigmoid<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient, Span<double> elementLosses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        T[] rented = ArrayPool<T>.Shared.Rent(2 * s);
        try
        {
            Span<T> t = rented.AsSpan(0, s);
            Span<T> v = rented.AsSpan(s, s);
            double lossSum = 0, factorSum = 0, count = 0;
            for (int pass = 0; pass < (gradient.IsEmpty ? 1 : 2); pass++)
            {
                (double scale, double normalizerTerm) = pass == 1 ? terms.Scales(lossSum, factorSum, terms.Denominator(shape, count, elementwise: true)) : (0, 0);
                for (int n = 0; n < shape.Batch; n++)
                {
                    for (int k = 0; k < shape.Classes; k++)
                    {
                        target.FillRow(shape, n, k, t, v);
                        int offset = ((n * shape.Classes) + k) * s;
                        for (int i = 0; i < s; i++)
                        {
                            if (v[i] == T.Zero)
                            {
                                if (pass == 1)
                                {
                                    gradient[offset + i] = T.Zero;
                                }

                                continue;
                            }

                            double x = double.CreateTruncating(input[offset + i]);
                            double ti = double.CreateTruncating(t[i]);
                            // p and q = 1 − p each from its own exp, and 1 − p_t and p − t as sums of non-negative
                            // terms: 1 − p rounds to 0 in double beyond |x| ≈ 37, and p − t cancels at p ≈ 1 = t.
                            double p = 1 / (1 + Math.Exp(-x));
                            double q = 1 / (1 + Math.Exp(x));
                            double bce = BinaryCrossEntropyLoss.Softplus(x) - (x * ti);
                            double oneMinusPt = (p * (1 - ti)) + (q * ti);
                            double pMinusT = (p * (1 - ti)) - (q * ti);
                            double a = terms.SigmoidWeight(k, ti);
                            (double f, double df) = terms.FactorOfComplement(oneMinusPt);
                            if (pass == 0)
                            {
                                lossSum += a * f * bce;
                                if (!elementLosses.IsEmpty)
                                {
                                    elementLosses[offset + i] = a * f * bce;
                                }

                                factorSum += f;
                                count++;
                                continue;
                            }

                            double dpt = ((2 * ti) - 1) * p * q;
                            double dLoss = a * ((df * dpt * bce) + (f * pMinusT));
                            gradient[offset + i] = T.CreateTruncating((scale * dLoss) - (normalizerTerm * df * dpt));
                        }
                    }
                }
            }

            return terms.Value(lossSum, factorSum, terms.Denominator(shape, count, elementwise: true));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    public static double Softmax<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient, Span<double> elementLosses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        T[] logpBuffer = ArrayPool<T>.Shared.Rent(input.Length);
        double[] pixel = ArrayPool<double>.Shared.Rent(3 * c);
        try
        {
            Span<T> logp = logpBuffer.AsSpan(0, input.Length);
            ActivationKernels.LogSoftmax(input, shape, logp);
            Span<double> q = pixel.AsSpan(0, c);
            Span<double> u = pixel.AsSpan(c, c);
            Span<double> uFactor = pixel.AsSpan(2 * c, c);
            double lossSum = 0, factorSum = 0, count = 0;
            for (int pass = 0; pass < (gradient.IsEmpty ? 1 : 2); pass++)
            {
                (double scale, double normalizerTerm) = pass == 1 ? terms.Scales(lossSum, factorSum, terms.Denominator(shape, count, elementwise: false)) : (0, 0);
                for (int n = 0; n < shape.Batch; n++)
                {
                    int image = n * c * s;
                    for (int i = 0; i < s; i++)
                    {
                        if (!PixelTarget(target, shape, n, i, q))
                        {
                            if (pass == 1)
                            {
                                for (int k = 0; k < c; k++)
                                {
                                    gradient[image + (k * s) + i] = T.Zero;
                                }
                            }

                            continue;
                        }

                        double uSum = 0, uFactorSum = 0;
                        for (int k = 0; k < c; k++)
                        {
                            u[k] = 0;
                            uFactor[k] = 0;
                            if (q[k] == 0)
                            {
                                continue;
                            }

                            double lp = double.CreateTruncating(logp[image + (k * s) + i]);
                            double p = Math.Exp(lp);
                            double a = q[k] * terms.SoftmaxWeight(k);
                            (double f, double df) = terms.Factor(p);
                            if (pass == 0)
                            {
                                lossSum -= a * f * lp;
                                if (!elementLosses.IsEmpty)
                                {
                                    elementLosses[image + (k * s) + i] = -a * f * lp;
                                }

                                factorSum += q[k] * f;
                                continue;
                            }

                            // h(p) = f(p)·(−log p); ∂/∂x_j of Σ_k a_k h(p_k) = u_j − p_j Σ u, with u_k = a_k p_k h′(p_k).
                            u[k] = a * p * ((-df * lp) - (f / p));
                            uFactor[k] = q[k] * p * df;
                            uSum += u[k];
                            uFactorSum += uFactor[k];
                        }

                        if (pass == 0)
                        {
                            count++;
                            continue;
                        }

                        for (int j = 0; j < c; j++)
                        {
                            double pj = Math.Exp(double.CreateTruncating(logp[image + (j * s) + i]));
                            double dLoss = u[j] - (pj * uSum);
                            double dFactor = uFactor[j] - (pj * uFactorSum);
                            gradient[image + (j * s) + i] = T.CreateTruncating((scale * dLoss) - (normalizerTerm * dFactor));
                        }
                    }
                }
            }

            return terms.Value(lossSum, factorSum, terms.Denominator(shape, count, elementwise: false));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(logpBuffer);
            ArrayPool<double>.Shared.Return(pixel);
        }
    }

    /// <summary>Writes the pixel's target distribution into <paramref name="q"/>; false if the pixel is ignored.</summary>
    internal static bool PixelTarget<T>(SegmentationTarget<T> target, SegmentationShape shape, int n, int i, Span<double> q)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        if (target.IsLabelMap)
        {
            int label = target.Labels[(n * s) + i];
            if (label == (target.IgnoreIndex ?? int.MinValue))
            {
                return false;
            }

            q.Clear();
            q[label] = 1;
            return true;
        }

        for (int k = 0; k < shape.Classes; k++)
        {
            T value = target.Dense[(((n * shape.Classes) + k) * s) + i];
            if (T.IsNaN(value))
            {
                return false;
            }

            q[k] = double.CreateTruncating(value);
        }

        return true;
    }
}
