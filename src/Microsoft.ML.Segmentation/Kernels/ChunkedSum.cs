using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Vectorized reductions that add chunk results in <see cref="double"/>: a float32 sum over a 256×256 plane loses
/// digits if it stays in float, while chunks of 1024 keep the SIMD speed of <see cref="TensorPrimitives"/>.
/// </summary>
internal static class ChunkedSum
{
    private const int Chunk = 1024;

    public static double Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        for (int i = 0; i < x.Length; i += Chunk)
        {
            total += double.CreateTruncating(TensorPrimitives.Sum(x.Slice(i, Math.Min(Chunk, x.Length - i))));
        }

        return total;
    }

    public static double SumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        for (int i = 0; i < x.Length; i += Chunk)
        {
            total += double.CreateTruncating(TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(Chunk, x.Length - i))));
        }

        return total;
    }

    public static double Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            total += double.CreateTruncating(TensorPrimitives.Dot(x.Slice(i, n), y.Slice(i, n)));
        }

        return total;
    }
}
