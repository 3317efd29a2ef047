using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The blend's inner operation, target += values · weights, in one pass: a product rounded to float32, then a sum
/// rounded to float32, as MONAI's <c>buffer *= w</c> then <c>out += buffer</c> (never a fused multiply-add, whose single
/// rounding would change the last bit).
/// </summary>
/// <remarks>
/// One loop instead of TensorPrimitives' Multiply into a scratch row and Add from it: the blend runs it once per class
/// and window row (21 × 512 calls for one 512² window of 21 classes), where two calls and a scratch round trip per row
/// cost more than the arithmetic. The JIT does not contract <c>a + b * c</c> into a fused multiply-add, scalar or
/// vector, so every path gives the same bits as the two separate operations.
/// </remarks>
internal static class WeightedSum
{
    /// <summary>target[i] += values[i] · weights[i] for every i (all three of one length).</summary>
    public static void Accumulate(Span<float> target, ReadOnlySpan<float> values, ReadOnlySpan<float> weights) =>
        Apply(target, values, weights, addToTarget: true);

    /// <summary>
    /// target[i] = 0 + values[i] · weights[i]: what <see cref="Accumulate"/> gives on a zeroed target, without reading it
    /// (the first window over a pixel). The sum with +0 is kept: it turns a product of −0 into +0, as adding it to
    /// MONAI's zero-filled output does.
    /// </summary>
    public static void Store(Span<float> target, ReadOnlySpan<float> values, ReadOnlySpan<float> weights) =>
        Apply(target, values, weights, addToTarget: false);

    // Inlined into both callers with a constant flag, so each gets its own loop without the test.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Apply(Span<float> target, ReadOnlySpan<float> values, ReadOnlySpan<float> weights, bool addToTarget)
    {
        if (values.Length != target.Length || weights.Length != target.Length)
        {
            throw new ArgumentException($"Blend rows differ in length: target {target.Length}, values {values.Length}, weights {weights.Length}.");
        }

        ref float t = ref MemoryMarshal.GetReference(target);
        ref float v = ref MemoryMarshal.GetReference(values);
        ref float w = ref MemoryMarshal.GetReference(weights);
        int n = target.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i <= n - width; i += width)
            {
                Vector<float> product = Vector.LoadUnsafe(ref v, (nuint)i) * Vector.LoadUnsafe(ref w, (nuint)i);
                Vector<float> sum = addToTarget ? Vector.LoadUnsafe(ref t, (nuint)i) : Vector<float>.Zero;
                (sum + product).StoreUnsafe(ref t, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float product = Unsafe.Add(ref v, i) * Unsafe.Add(ref w, i);
            Unsafe.Add(ref t, i) = (addToTarget ? Unsafe.Add(ref t, i) : 0f) + product;
        }
    }
}
