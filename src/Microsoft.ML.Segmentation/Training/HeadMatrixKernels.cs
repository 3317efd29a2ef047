using System;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// The three matrix products of a head layer on channel-major maps (<c>[channels, P]</c>): the forward pass, the
/// gradient of its input and the gradient of its weights. <see cref="Blocked"/> is what heads use; the seam exists so
/// that the benchmark project can time the plain loops the head used before against it on the same training run.
/// </summary>
internal abstract class HeadMatrixKernels
{
    /// <summary>The cache- and register-blocked products of <see cref="BlockedMatrixMultiply"/>.</summary>
    public static HeadMatrixKernels Blocked { get; } = new BlockedHeadMatrixKernels();

    /// <summary><c>output[o,p] = b[o] + Σc w[o,c]·input[c,p]</c>, the sum over c in ascending order.</summary>
    public abstract void Dense<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, int outChannels, int inChannels, ReadOnlySpan<T> input, Span<T> output, int p)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>dInput[c,p] = Σo w[o,c]·dOutput[o,p]</c> (Wᵀ·dOutput), the sum over o in ascending order.</summary>
    public abstract void InputGradient<T>(ReadOnlySpan<T> w, int outChannels, int inChannels, ReadOnlySpan<T> dOutput, Span<T> dInput, int p)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>dW[o,c] += Σp dOutput[o,p]·input[c,p]</c>, <c>dB[o] += Σp dOutput[o,p]</c>: sums over tiles of pixels in T, totals in double.</summary>
    public abstract void WeightGradient<T>(ReadOnlySpan<T> dOutput, int outChannels, ReadOnlySpan<T> input, int inChannels, int p, Span<double> dW, Span<double> dB)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private sealed class BlockedHeadMatrixKernels : HeadMatrixKernels
    {
        public override void Dense<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, int outChannels, int inChannels, ReadOnlySpan<T> input, Span<T> output, int p)
        {
            for (int o = 0; o < outChannels; o++)
            {
                output.Slice(o * p, p).Fill(b[o]);
            }

            BlockedMatrixMultiply.Multiply(w, inChannels, 1, input, p, output, p, outChannels, inChannels, p, accumulate: true);
        }

        public override void InputGradient<T>(ReadOnlySpan<T> w, int outChannels, int inChannels, ReadOnlySpan<T> dOutput, Span<T> dInput, int p)
            => BlockedMatrixMultiply.Multiply(w, 1, inChannels, dOutput, p, dInput, p, inChannels, outChannels, p, accumulate: false);

        public override void WeightGradient<T>(ReadOnlySpan<T> dOutput, int outChannels, ReadOnlySpan<T> input, int inChannels, int p, Span<double> dW, Span<double> dB)
        {
            BlockedMatrixMultiply.AccumulateProductTransposed(dOutput, p, input, p, dW, outChannels, inChannels, p);
            for (int o = 0; o < outChannels; o++)
            {
                // The same pixel tiles as the weights' partial sums.
                ReadOnlySpan<T> row = dOutput.Slice(o * p, p);
                for (int t0 = 0; t0 < p; t0 += BlockedMatrixMultiply.TransposedDepthTile)
                {
                    dB[o] += double.CreateTruncating(TensorPrimitives.Sum(row.Slice(t0, Math.Min(BlockedMatrixMultiply.TransposedDepthTile, p - t0))));
                }
            }
        }
    }
}
