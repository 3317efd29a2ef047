using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Single-precision exp and log on <see cref="Vector{T}"/>, for kernels that fuse them into one pass over a chunk
/// (TensorPrimitives' float exp widens to double internally, which halves its throughput and needs a separate pass
/// per operation). Cephes' range reductions and polynomials, with multiply-adds that use FMA where the CPU has it.
/// </summary>
/// <remarks>
/// Measured against <see cref="Math.Exp"/>/<see cref="Math.Log(double)"/> in double (VectorMathVectorizedTests): exp within
/// 2 float ulps on [−87, 88], log within 2 ulps on normal positive floats. Callers only pass finite values; NaN gives
/// an unspecified result.
/// </remarks>
internal static class VectorMath
{
    /// <summary>Below this exp underflows: the result is 0 (the denormal range is not produced).</summary>
    public const float ExpLowerBound = -87.33654f;

    /// <summary>Above this exp overflows: the result is +∞.</summary>
    public const float ExpUpperBound = 88.37626f;

    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;   // ln 2 split so that n·Ln2High is exact for |n| ≤ 128
    private const float Ln2Low = -2.12194440e-4f;
    private const float SqrtHalf = 0.707106781186547524f;
    private const float RoundMagic = 12582912f;   // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits

    /// <summary>eˣ per element.</summary>
    /// <remarks>
    /// Written for the JIT's cheapest instructions: the clamp uses <see cref="Vector.MinNative{T}"/>/<see cref="Vector.MaxNative{T}"/>
    /// (plain <c>minps</c>/<c>maxps</c>; <see cref="Vector.Min{T}"/> adds IEEE NaN and signed-zero fix-ups, four
    /// instructions each, measured in the disassembly), and n = round(x·log₂e) comes from adding 1.5·2²³, whose low
    /// mantissa bits then hold n, so 2ⁿ needs an integer add and a shift instead of a floor and a saturating convert.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        Vector<float> result = ExpClamped(Vector.MinNative(Vector.MaxNative(x, new Vector<float>(ExpLowerBound)), new Vector<float>(ExpUpperBound)));
        result = Vector.AndNot(result, Vector.AsVectorSingle(Vector.LessThan(x, new Vector<float>(ExpLowerBound))));
        return Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(ExpUpperBound)), new Vector<float>(float.PositiveInfinity), result);
    }

    /// <summary>
    /// eˣ for x ≤ 0, the arguments of a softmax (x − max) and of a sigmoid (−|x|): no overflow handling. Below
    /// <see cref="ExpLowerBound"/> the result is 0, as <see cref="Exp"/>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExpNonPositive(Vector<float> x)
    {
        Vector<float> result = ExpClamped(Vector.MaxNative(x, new Vector<float>(ExpLowerBound)));
        return Vector.AndNot(result, Vector.AsVectorSingle(Vector.LessThan(x, new Vector<float>(ExpLowerBound))));
    }

    /// <summary>eˣ for x in [<see cref="ExpLowerBound"/>, <see cref="ExpUpperBound"/>].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpClamped(Vector<float> x)
    {
        // x = n·ln 2 + r with |r| ≤ ln 2 / 2, eˣ = 2ⁿ·eʳ; shifted = n + 1.5·2²³ exactly, so its bits are 0x4B400000 + n.
        Vector<float> shifted = Vector.MultiplyAddEstimate(x, new Vector<float>(Log2E), new Vector<float>(RoundMagic));
        Vector<float> n = shifted - new Vector<float>(RoundMagic);
        Vector<float> r = Vector.MultiplyAddEstimate(n, new Vector<float>(-Ln2High), x);
        r = Vector.MultiplyAddEstimate(n, new Vector<float>(-Ln2Low), r);
        Vector<float> p = new(1.9875691500E-4f);
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(1.3981999507E-3f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(8.3334519073E-3f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(4.1665795894E-2f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(1.6666665459E-1f));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(5.0000001201E-1f));
        p = Vector.MultiplyAddEstimate(p, r * r, r) + Vector<float>.One;

        // 2ⁿ in the exponent field: (0x4B400000 + n + 127) << 23 drops the magic's bits, n ∈ [−126, 127] is normal.
        Vector<int> exponent = Vector.ShiftLeft(Vector.AsVectorInt32(shifted) + new Vector<int>(127), 23);
        return p * Vector.AsVectorSingle(exponent);
    }

    /// <summary>ln x per element, for normal positive x (0, denormals, negatives and ∞ give unspecified results).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> x)
    {
        // x = m·2ᵉ with m ∈ [√½, √2): ln x = e·ln 2 + ln m, and ln m from a polynomial in m − 1.
        Vector<int> bits = Vector.AsVectorInt32(x);
        Vector<int> e = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(126);
        Vector<float> m = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F000000)); // [0.5, 1)
        Vector<int> small = Vector.AsVectorInt32(Vector.LessThan(m, new Vector<float>(SqrtHalf)));
        e += small; // small is −1 where true
        m = Vector.ConditionalSelect(Vector.AsVectorSingle(small), m + m, m) - Vector<float>.One;
        Vector<float> fe = Vector.ConvertToSingle(e);

        Vector<float> z = m * m;
        Vector<float> y = new(7.0376836292E-2f);
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(-1.1514610310E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(1.1676998740E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(-1.2420140846E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(1.4249322787E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(-1.6668057665E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(2.0000714765E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(-2.4999993993E-1f));
        y = Vector.MultiplyAddEstimate(y, m, new Vector<float>(3.3333331174E-1f));
        y = y * m * z;
        y = Vector.MultiplyAddEstimate(fe, new Vector<float>(Ln2Low), y);
        y = Vector.MultiplyAddEstimate(z, new Vector<float>(-0.5f), y);
        return Vector.MultiplyAddEstimate(fe, new Vector<float>(Ln2High), m + y);
    }
}
