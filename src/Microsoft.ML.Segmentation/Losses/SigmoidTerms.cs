using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>The vectorized pieces the sigmoid losses (BCE, sigmoid focal) share.</summary>
internal static class SigmoidTerms
{
    /// <summary>
    /// p = σ(x) and log1p(e^−|x|), the part of softplus(±x) = max(±x, 0) + log1p(e^−|x|) that is not a
    /// relu, so that a caller adds it to an exactly computed max(x, 0) − x·t instead of subtracting x·t from a rounded
    /// softplus(x).
    /// </summary>
    /// <remarks>
    /// Why: softplus(x) − x for a confident x = 30 is e^−30 ≈ 9.4e−14, but softplus(x) rounds to 30 in float (the former
    /// form here, max(x, 0) − log(max(p, q)), and also log(1 + e) rounds e away below 2⁻²⁴), so every such term of the
    /// loss was 0: a row of confident logits summed to 0 instead of ~1e−9 (BinaryCrossEntropyVectorizedTests under
    /// <c>DOTNET_EnableHWIntrinsic=0</c>). log1p(e) = ln m + (e − (m − 1))/m with m = 1 + e rounded: the rounding error
    /// e − (m − 1) is exact (Sterbenz, m ≤ 2), so an e below the precision of 1 gives e itself; the correction is not
    /// divided by m (it is below an ulp of m, and m ≤ 2: at most about an ulp of the result), which saves a pass.
    /// </remarks>
    /// <param name="x">Logits.</param>
    /// <param name="p">σ(x).</param>
    /// <param name="log1pExp">log1p(e^−|x|).</param>
    /// <param name="scratch">Work space of the same length.</param>
    /// <param name="scratch2">Work space of the same length.</param>
    public static void Compute<T>(ReadOnlySpan<T> x, Span<T> p, Span<T> log1pExp, Span<T> scratch, Span<T> scratch2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sigmoid(x, p);
        TensorPrimitives.CopySign(x, T.NegativeOne, log1pExp); // −|x|
        TensorPrimitives.Exp(log1pExp, log1pExp);             // e
        TensorPrimitives.Add(log1pExp, T.One, scratch);       // m = 1 + e, rounded
        TensorPrimitives.Subtract(scratch, T.One, scratch2);  // m − 1, exact
        TensorPrimitives.Subtract(log1pExp, scratch2, scratch2); // the rounding error of m
        TensorPrimitives.Log(scratch, scratch);
        TensorPrimitives.Add(scratch, scratch2, log1pExp);
    }
}
