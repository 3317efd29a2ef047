using System;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <content>Dense (soft) targets: every channel of a pixel may carry target mass; a NaN in any channel ignores the pixel.</content>
internal static unsafe partial class FocalSoftmaxKernel
{
    /// <summary>Pixels none of whose channels is NaN.</summary>
    private static long CountValidPixels<T>(ReadOnlySpan<T> dense, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        long valid = shape.PixelCount;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int start = 0; start < s; start += ActivationKernels.ChunkPixels)
            {
                int length = Math.Min(ActivationKernels.ChunkPixels, s - start);
                if (!HasNaN(dense, shape, n, start, length))
                {
                    continue;
                }

                for (int i = 0; i < length; i++)
                {
                    for (int k = 0; k < c; k++)
                    {
                        if (T.IsNaN(dense[(((n * c) + k) * s) + start + i]))
                        {
                            valid--;
                            break;
                        }
                    }
                }
            }
        }

        return valid;
    }

    private static bool HasNaN<T>(ReadOnlySpan<T> dense, SegmentationShape shape, int n, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        for (int k = 0; k < shape.Classes; k++)
        {
            if (TensorPrimitives.IsNaNAny(dense.Slice((((n * shape.Classes) + k) * s) + start, length)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// One pixel chunk with a dense target: returns (Σ_k q_k a_k f(p_k)(−log p_k), Σ_k q_k f(p_k)) over valid pixels and,
    /// when <paramref name="gradient"/> is not empty, writes z_j − p_j Σ_k z_k with z_k = lossScale·u_k − factorScale·q_k p_k f′_k,
    /// u_k = a_k q_k (−p_k f′_k log p_k − f_k).
    /// </summary>
    private static (double Loss, double Factor) DenseChunk<T>(FocalTerms terms, double[] weights, NativeSpan<T> input, NativeSpan<T> dense, NativeSpan<T> gradient, SegmentationShape shape, int chunks, int item, double lossScale, double factorScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int start, int length) = ActivationKernels.ChunkOf(shape, chunks, item);
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        const int L = ActivationKernels.ChunkPixels;
        const int Own = 8;
        bool withGradient = gradient.Length > 0;
        T[] rented = ArrayPool<T>.Shared.Rent((Own + (2 * c)) * L);
        try
        {
            Span<T> lse = rented.AsSpan(0, length);
            Span<T> sum = rented.AsSpan(L, length);
            Span<T> v = rented.AsSpan(2 * L, length);
            Span<T> lp = rented.AsSpan(3 * L, length);
            Span<T> p = rented.AsSpan(4 * L, length);
            Span<T> f = rented.AsSpan(5 * L, length);
            Span<T> df = rented.AsSpan(6 * L, length);
            Span<T> tmp = rented.AsSpan(7 * L, length);
            Span<T> Q(int k) => rented.AsSpan((Own + k) * L, length);
            Span<T> E(int k) => rented.AsSpan((Own + c + k) * L, length);

            // Targets with NaN as 0, and the pixel mask when some channel of a pixel is NaN.
            bool masked = HasNaN(dense.Span, shape, n, start, length);
            v.Fill(T.One);
            for (int k = 0; k < c; k++)
            {
                ReadOnlySpan<T> row = dense.Slice(image + (k * s) + start, length);
                row.CopyTo(Q(k));
                if (masked)
                {
                    for (int i = 0; i < length; i++)
                    {
                        if (T.IsNaN(row[i]))
                        {
                            Q(k)[i] = T.Zero;
                            v[i] = T.Zero;
                        }
                    }
                }
            }

            if (masked)
            {
                for (int k = 0; k < c; k++)
                {
                    TensorPrimitives.Multiply(Q(k), v, Q(k));
                }
            }

            input.Slice(image + start, length).CopyTo(lse);
            for (int k = 1; k < c; k++)
            {
                TensorPrimitives.Max(lse, input.Slice(image + (k * s) + start, length), lse);
            }

            sum.Clear();
            for (int k = 0; k < c; k++)
            {
                TensorPrimitives.Subtract(input.Slice(image + (k * s) + start, length), lse, E(k));
                TensorPrimitives.Exp(E(k), E(k));
                TensorPrimitives.Add(sum, E(k), sum);
            }

            TensorPrimitives.Log(sum, tmp);
            TensorPrimitives.Add(lse, tmp, lse);
            double lossSum = 0, factorSum = 0;
            Span<T> total = v; // Σ z_k, once the mask is no longer needed
            total.Clear();
            for (int k = 0; k < c; k++)
            {
                TensorPrimitives.Subtract(input.Slice(image + (k * s) + start, length), lse, lp);
                TensorPrimitives.Min(lp, T.Zero, lp);
                TensorPrimitives.Exp(lp, p);
                TensorPrimitives.Subtract(T.One, p, tmp);
                FocalSigmoidKernel.Factor(terms, terms.IntegerGamma, tmp, f, df);
                TensorPrimitives.Multiply(Q(k), f, tmp);
                if (terms.Options.Normalized)
                {
                    factorSum += double.CreateTruncating(TensorPrimitives.Sum(tmp));
                }

                lossSum -= weights[k] * double.CreateTruncating(TensorPrimitives.Dot(tmp, lp));
                if (!withGradient)
                {
                    continue;
                }

                // z_k = −lossScale·w·q·(p f′ log p + f) − factorScale·q·p f′, written into the gradient row.
                Span<T> z = gradient.Slice(image + (k * s) + start, length);
                TensorPrimitives.Multiply(p, df, df);
                TensorPrimitives.Multiply(df, Q(k), df);
                TensorPrimitives.Multiply(df, lp, z);
                TensorPrimitives.Add(z, tmp, z);
                TensorPrimitives.Multiply(z, T.CreateTruncating(-weights[k] * lossScale), z);
                if (factorScale != 0)
                {
                    TensorPrimitives.FusedMultiplyAdd(df, T.CreateTruncating(-factorScale), z, z);
                }

                TensorPrimitives.Add(total, z, total);
            }

            if (withGradient)
            {
                // g_j = z_j − p_j Σz = z_j − e_j·(Σz / Σe).
                TensorPrimitives.Divide(total, sum, total);
                for (int k = 0; k < c; k++)
                {
                    Span<T> z = gradient.Slice(image + (k * s) + start, length);
                    TensorPrimitives.Multiply(E(k), total, tmp);
                    TensorPrimitives.Subtract(z, tmp, z);
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
