using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// The head's products as it computed them before the blocked kernels: per output row, one TensorPrimitives
/// multiply-add (or dot product) per input channel over tiles of 256 pixels. The reference of the end-to-end tests, and
/// the "before" of the benchmark project's --quick-training, which compiles this same file.
/// </summary>
internal sealed class LoopHeadMatrixKernels : HeadMatrixKernels
{
    private const int Tile = 256;

    public static LoopHeadMatrixKernels Instance { get; } = new();

    public override void Dense<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> b, int outChannels, int inChannels, ReadOnlySpan<T> input, Span<T> output, int p)
    {
        for (int t0 = 0; t0 < p; t0 += Tile)
        {
            int n = Math.Min(Tile, p - t0);
            for (int o = 0; o < outChannels; o++)
            {
                Span<T> row = output.Slice((o * p) + t0, n);
                row.Fill(b[o]);
                ReadOnlySpan<T> wo = w.Slice(o * inChannels, inChannels);
                for (int c = 0; c < inChannels; c++)
                {
                    TensorPrimitives.MultiplyAdd(input.Slice((c * p) + t0, n), wo[c], row, row);
                }
            }
        }
    }

    public override void InputGradient<T>(ReadOnlySpan<T> w, int outChannels, int inChannels, ReadOnlySpan<T> dOutput, Span<T> dInput, int p)
    {
        for (int t0 = 0; t0 < p; t0 += Tile)
        {
            int n = Math.Min(Tile, p - t0);
            for (int j = 0; j < inChannels; j++)
            {
                Span<T> row = dInput.Slice((j * p) + t0, n);
                row.Clear();
                for (int k = 0; k < outChannels; k++)
                {
                    TensorPrimitives.MultiplyAdd(dOutput.Slice((k * p) + t0, n), w[(k * inChannels) + j], row, row);
                }
            }
        }
    }

    public override void WeightGradient<T>(ReadOnlySpan<T> dOutput, int outChannels, ReadOnlySpan<T> input, int inChannels, int p, Span<double> dW, Span<double> dB)
    {
        for (int t0 = 0; t0 < p; t0 += Tile)
        {
            int n = Math.Min(Tile, p - t0);
            for (int o = 0; o < outChannels; o++)
            {
                ReadOnlySpan<T> d = dOutput.Slice((o * p) + t0, n);
                dB[o] += double.CreateTruncating(TensorPrimitives.Sum(d));
                Span<double> row = dW.Slice(o * inChannels, inChannels);
                for (int c = 0; c < inChannels; c++)
                {
                    row[c] += double.CreateTruncating(TensorPrimitives.Dot(d, input.Slice((c * p) + t0, n)));
                }
            }
        }
    }
}
