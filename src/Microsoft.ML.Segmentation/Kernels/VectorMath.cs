using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Single-precision exp and log on <see cref="Vector{T}"/> and at any <see cref="ISimdFloat{TSelf}"/> width, for kernels that fuse them into one pass over a chunk
/// (TensorPrimitives' float exp widens to double internally, which halves its throughput and needs a separate pass
/// per operation). Cephes' range reductions and polynomials, with multiply-adds that use FMA where the CPU has it; at
/// 256 and 512 bits exp takes a table of 2^(j/8) and a cubic instead (<see cref="ExpClampedByTable{TVector}"/>), at
/// 128 bits with AVX a table of 2^(j/4) and a quartic (<see cref="ExpClampedByTableOfFour{TVector}"/>).
/// </summary>
/// <remarks>
/// Measured against <see cref="Math.Exp"/>/<see cref="Math.Log(double)"/> in double (VectorMathVectorizedTests, SimdFloatWidthTests): exp within
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
    public static Vector<float> Exp(Vector<float> x) => Exp(new SimdFloatVector(x)).Value;

    /// <summary>
    /// eˣ for x ≤ 0, the arguments of a softmax (x − max) and of a sigmoid (−|x|): no overflow handling. Below
    /// <see cref="ExpLowerBound"/> the result is 0, as <see cref="Exp(Vector{float})"/>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExpNonPositive(Vector<float> x) => ExpNonPositive(new SimdFloatVector(x)).Value;

    /// <summary>
    /// <paramref name="sum"/>[i] += e^(x[i] − shift[i]) for x[i] ≤ shift[i] (a softmax's terms against their maximum),
    /// in one pass at <see cref="Vector{T}"/>'s width (the last few by <see cref="MathF.Exp"/>): TensorPrimitives'
    /// subtract, exp and add would be three passes, its float exp computed in double.
    /// </summary>
    /// <remarks>
    /// One channel's row at a time, the caller's loop over channels outside: the same sums taken pixel by pixel over the
    /// channels of an NCHW chunk in registers (21 rows 256 KB apart) took 1.35× the time of this and a row-wise maximum
    /// (perf samples, OHEM on [8, 21, 256, 256], AVX2).
    /// </remarks>
    public static void AccumulateExpOfDifference(ReadOnlySpan<float> x, ReadOnlySpan<float> shift, Span<float> sum)
    {
        int n = sum.Length;
        ref float x0 = ref MemoryMarshal.GetReference(x[..n]);
        ref float shift0 = ref MemoryMarshal.GetReference(shift[..n]);
        ref float sum0 = ref MemoryMarshal.GetReference(sum);
        int i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector<float> terms = ExpNonPositive(Vector.LoadUnsafe(ref x0, (nuint)i) - Vector.LoadUnsafe(ref shift0, (nuint)i));
            (Vector.LoadUnsafe(ref sum0, (nuint)i) + terms).StoreUnsafe(ref sum0, (nuint)i);
        }

        for (; i < n; i++)
        {
            sum[i] += MathF.Exp(x[i] - shift[i]);
        }
    }

    /// <summary>e^max(x, <paramref name="floor"/>) for x ≤ 0 on <see cref="Vector{T}"/> (see <see cref="ExpNonPositiveAtLeast{TVector}(TVector, TVector)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExpNonPositiveAtLeast(Vector<float> x, Vector<float> floor) => ExpNonPositiveAtLeast(new SimdFloatVector(x), new SimdFloatVector(floor)).Value;

    /// <summary>eˣ per element at the width of <typeparamref name="TVector"/> (see <see cref="Exp(Vector{float})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector lower = TVector.Create(ExpLowerBound), upper = TVector.Create(ExpUpperBound);
        TVector result = ExpClamped(TVector.MinNative(TVector.MaxNative(x, lower), upper));
        result = TVector.AndNot(result, TVector.LessThan(x, lower));
        return TVector.Select(TVector.GreaterThan(x, upper), TVector.Create(float.PositiveInfinity), result);
    }

    /// <summary>eˣ for x ≤ 0 at the width of <typeparamref name="TVector"/> (see <see cref="ExpNonPositive(Vector{float})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ExpNonPositive<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector lower = TVector.Create(ExpLowerBound);
        return TVector.AndNot(ExpClamped(TVector.MaxNative(x, lower)), TVector.LessThan(x, lower));
    }

    /// <summary>
    /// e^max(x, <paramref name="floor"/>) for x ≤ 0, with <paramref name="floor"/> at or above <see cref="ExpLowerBound"/>:
    /// no result below e^floor, so a caller whose products of such results must stay in float's normal range (no
    /// subnormal arithmetic, which costs a microcode assist per operation on x86) picks the floor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector ExpNonPositiveAtLeast<TVector>(TVector x, TVector floor)
        where TVector : struct, ISimdFloat<TVector> => ExpClamped(TVector.MaxNative(x, floor));

    /// <summary>eˣ for x in [<see cref="ExpLowerBound"/>, <see cref="ExpUpperBound"/>] in the width's fastest form (<see cref="ISimdFloat{TSelf}.ExpClamped"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpClamped<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector> => TVector.ExpClamped(x);

    /// <summary>eˣ for x in [<see cref="ExpLowerBound"/>, <see cref="ExpUpperBound"/>] from Cephes' degree-7 polynomial on |r| ≤ ln 2 / 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector ExpClampedByPolynomial<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        // x = n·ln 2 + r with |r| ≤ ln 2 / 2, eˣ = 2ⁿ·eʳ; shifted = n + 1.5·2²³ exactly, so its bits are 0x4B400000 + n.
        TVector magic = TVector.Create(RoundMagic);
        TVector shifted = TVector.MultiplyAdd(x, TVector.Create(Log2E), magic);
        TVector n = shifted - magic;
        TVector r = TVector.MultiplyAdd(n, TVector.Create(-Ln2High), x);
        r = TVector.MultiplyAdd(n, TVector.Create(-Ln2Low), r);
        TVector p = TVector.Create(1.9875691500E-4f);
        p = TVector.MultiplyAdd(p, r, TVector.Create(1.3981999507E-3f));
        p = TVector.MultiplyAdd(p, r, TVector.Create(8.3334519073E-3f));
        p = TVector.MultiplyAdd(p, r, TVector.Create(4.1665795894E-2f));
        p = TVector.MultiplyAdd(p, r, TVector.Create(1.6666665459E-1f));
        p = TVector.MultiplyAdd(p, r, TVector.Create(5.0000001201E-1f));
        p = TVector.MultiplyAdd(p, r * r, r) + TVector.One;

        // 2ⁿ in the exponent field: (0x4B400000 + n + 127) << 23 drops the magic's bits, n ∈ [−126, 127] is normal.
        return p * TVector.AddBitsShiftLeft(shifted, 127, 23);
    }

    /// <summary>
    /// eˣ for x in [<see cref="ExpLowerBound"/>, <see cref="ExpUpperBound"/>] as 2^(m/8)·eʳ with |r| ≤ ln 2 / 16: the
    /// fraction 2^((m mod 8)/8) from an eight-entry table (<see cref="ISimdFloat{TSelf}.Lookup8"/>), eʳ from a cubic.
    /// </summary>
    /// <remarks>
    /// Eleven vector operations where <see cref="ExpClampedByPolynomial{TVector}"/> takes fifteen; exp is most of the
    /// first pass of the sigmoid focal loss and of cross-entropy's softmax. Within 1.3 ulps on the range (1.0 for the
    /// polynomial; both are tested at every width). The cubic is 1 + r·(1 + c₂r + c₃r²), a Chebyshev fit of (eʳ − 1)/r
    /// on [−ln 2/16, ln 2/16] (error 4e−8 absolute), and the last step is scale + scale·(eʳ − 1), so only the small
    /// part is rounded. The table entry j holds the bits of 2^(j/8) (rounded to float) minus j·2²⁰: the bits of
    /// shifted = m + 1.5·2²³, shifted left by 20, hold ⌊m/8⌋·2²³ + j·2²⁰ modulo 2³², so their sum with the entry is
    /// 2^(j/8) with ⌊m/8⌋ added to its exponent (m ∈ [−1008, 1020]: ⌊m/8⌋ ∈ [−126, 127], normal).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector ExpClampedByTable<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector r = ReduceByFractionOfLn2(x, 8, out TVector shifted);
        TVector q = TVector.MultiplyAdd(TVector.Create(0.16667839687f), r, TVector.Create(0.500058651801f));
        q = TVector.MultiplyAdd(q, r, TVector.One) * r; // eʳ − 1
        Vector256<int> table = Vector256.Create(0x3F800000, 0x3F7B95C2, 0x3F7837F0, 0x3F75FED7, 0x3F7504F3, 0x3F75672A, 0x3F7744FD, 0x3F7AC0C7);
        TVector scale = TVector.AddBits(TVector.ShiftLeftBits(shifted, 20), TVector.Lookup8(table, shifted));
        return TVector.MultiplyAdd(scale, q, scale);
    }

    /// <summary>
    /// r = x − m·ln 2/<paramref name="parts"/> with m = round(x·<paramref name="parts"/>/ln 2), so |r| ≤ ln 2/(2·parts);
    /// <paramref name="shifted"/> is m + 1.5·2²³, whose low mantissa bits hold m. ln 2/parts is split as ln 2's own two
    /// parts divided by the power of two <paramref name="parts"/> (exact), so that m times the high part stays exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ReduceByFractionOfLn2<TVector>(TVector x, float parts, out TVector shifted)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector magic = TVector.Create(RoundMagic);
        shifted = TVector.MultiplyAdd(x, TVector.Create(parts * Log2E), magic);
        TVector m = shifted - magic;
        TVector r = TVector.MultiplyAdd(m, TVector.Create(-Ln2High / parts), x);
        return TVector.MultiplyAdd(m, TVector.Create(-Ln2Low / parts), r);
    }

    /// <summary>
    /// eˣ for x in [<see cref="ExpLowerBound"/>, <see cref="ExpUpperBound"/>] as 2^(m/4)·eʳ with |r| ≤ ln 2 / 8: the
    /// fraction 2^((m mod 4)/4) from a four-entry table (<see cref="ISimdFloat{TSelf}.Lookup4"/>, one <c>vpermilps</c>
    /// at 128 bits, where <see cref="ExpClampedByTable{TVector}"/>'s eight entries do not fit), eʳ from a quartic.
    /// </summary>
    /// <remarks>
    /// Thirteen vector operations where <see cref="ExpClampedByPolynomial{TVector}"/> takes fifteen, twenty where it takes
    /// twenty-four without FMA (a multiply-add is two there): what the 128-bit tiers of the softmax and sigmoid kernels
    /// spend most of their first pass on. e^r − 1 = (r + c₁r²) + r³·(c₂ + c₃r), a fit of e^r − 1 on [−ln 2/8, ln 2/8]
    /// (8.2e−9 absolute, 0.07 of an ulp of 1) in two halves whose chains overlap (Horner's would be one operation fewer
    /// and two multiply-adds longer); within 1.15 ulps on the range (0.97 with FMA; tested at every width). The table
    /// entry j holds the bits of 2^(j/4) minus j·2²¹, so that shifted's bits shifted left by 21, ⌊m/4⌋·2²³ + j·2²¹
    /// modulo 2³² (the magic's own bits all move out), added to it give 2^(j/4) with ⌊m/4⌋ added to its exponent
    /// (m ∈ [−504, 510]: ⌊m/4⌋ ∈ [−126, 127], normal).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector ExpClampedByTableOfFour<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector r = ReduceByFractionOfLn2(x, 4, out TVector shifted);
        TVector r2 = r * r;
        TVector high = TVector.MultiplyAdd(TVector.Create(0.041729912f), r, TVector.Create(0.16672924f));
        TVector low = TVector.MultiplyAdd(r2, TVector.Create(0.4999996f), r);
        TVector q = TVector.MultiplyAdd(r2 * r, high, low); // eʳ − 1
        Vector128<int> table = Vector128.Create(0x3F800000, 0x3F7837F0, 0x3F7504F3, 0x3F7744FD);
        TVector scale = TVector.AddBits(TVector.ShiftLeftBits(shifted, 21), TVector.Lookup4(table, shifted));
        return TVector.MultiplyAdd(scale, q, scale);
    }

    /// <summary>
    /// ln(1 + u) for finite u ≥ 0, without the cancellation of <see cref="Log{TVector}"/>(1 + u) for small u:
    /// ln m + (u − (m − 1))/m with m = 1 + u rounded, whose rounding error u − (m − 1) is exact below 2²⁴ (Sterbenz), so
    /// a u below 2⁻²⁴ gives u itself (above 2²⁴ the correction is below an ulp of ln m). Within 2 ulps on [0, 2¹⁰⁰]
    /// (1.06 measured at every width, SimdFloatWidthTests).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Log1PNonNegative<TVector>(TVector u)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector m = TVector.One + u;
        return Log(m) + ((u - (m - TVector.One)) / m);
    }

    /// <summary>ln x per element, for normal positive x (0, denormals, negatives and ∞ give unspecified results).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> x) => Log(new SimdFloatVector(x)).Value;

    /// <summary>ln x per element at the width of <typeparamref name="TVector"/> (see <see cref="Log(Vector{float})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Log<TVector>(TVector x)
        where TVector : struct, ISimdFloat<TVector>
    {
        // x = m·2ᵉ with m ∈ [√½, √2): ln x = e·ln 2 + ln m, and ln m from a polynomial in m − 1.
        TVector e = TVector.AddBits(TVector.ShiftRightArithmeticBits(x, 23), TVector.CreateBits(-126));
        TVector m = (x & TVector.CreateBits(0x007FFFFF)) | TVector.CreateBits(0x3F000000); // [0.5, 1)
        TVector small = TVector.LessThan(m, TVector.Create(SqrtHalf));
        e = TVector.AddBits(e, small); // small is −1 where true
        m = TVector.Select(small, m + m, m) - TVector.One;
        TVector fe = TVector.ConvertBitsToSingle(e);

        TVector z = m * m;
        TVector y = TVector.Create(7.0376836292E-2f);
        y = TVector.MultiplyAdd(y, m, TVector.Create(-1.1514610310E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(1.1676998740E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(-1.2420140846E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(1.4249322787E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(-1.6668057665E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(2.0000714765E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(-2.4999993993E-1f));
        y = TVector.MultiplyAdd(y, m, TVector.Create(3.3333331174E-1f));
        y = y * m * z;
        y = TVector.MultiplyAdd(fe, TVector.Create(Ln2Low), y);
        y = TVector.MultiplyAdd(z, TVector.Create(-0.5f), y);
        return TVector.MultiplyAdd(fe, TVector.Create(Ln2High), m + y);
    }
}
