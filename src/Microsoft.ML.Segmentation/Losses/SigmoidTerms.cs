using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>The vectorized pieces the sigmoid losses (BCE, sigmoid focal) share.</summary>
internal static class SigmoidTerms
{
    /// <summary>
    /// p = σ(x), q = 1 − p and softplus(x) = log(1 + eˣ) = max(x, 0) − log(max(p, q)): the sigmoid already in hand gives
    /// log(1 + e^−|x|) without a second exponential.
    /// </summary>
    public static void Compute<T>(ReadOnlySpan<T> x, Span<T> p, Span<T> q, Span<T> softplus, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sigmoid(x, p);
        TensorPrimitives.Subtract(T.One, p, q);
        TensorPrimitives.Max(p, q, scratch);
        TensorPrimitives.Log(scratch, scratch);
        TensorPrimitives.Max(x, T.Zero, softplus);
        TensorPrimitives.Subtract(softplus, scratch, softplus);
    }
}
