using System.Runtime.Intrinsics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// Every <see cref="ISimdFloat{TSelf}"/> width (128, 256, 512 bits and <see cref="System.Numerics.Vector{T}"/>) lane by
/// lane against scalar arithmetic, and <see cref="VectorMath"/>'s exp and log at each width against
/// <see cref="Math.Exp"/>/<see cref="Math.Log(double)"/>. Widths the CPU does not accelerate run in the runtime's
/// software fallback, so every width is checked on every machine; the kernels pick the widest accelerated one.
/// </summary>
[TestClass]
public sealed class SimdFloatWidthTests
{
    [TestMethod]
    public void EveryWidthMatchesScalarArithmeticLaneByLane()
    {
        CheckOperations<SimdFloat128>();
        CheckOperations<SimdFloat256>();
        CheckOperations<SimdFloat512>();
        CheckOperations<SimdFloatVector>();
    }

    [TestMethod]
    public void ExpAndLogAreWithinTwoUlpsAtEveryWidth()
    {
        CheckExpAndLog<SimdFloat128>();
        CheckExpAndLog<SimdFloat256>();
        CheckExpAndLog<SimdFloat512>();
        CheckExpAndLog<SimdFloatVector>();
    }

    [TestMethod]
    public void Log1PIsWithinTwoUlpsAtEveryWidth()
    {
        CheckLog1P<SimdFloat128>();
        CheckLog1P<SimdFloat256>();
        CheckLog1P<SimdFloat512>();
        CheckLog1P<SimdFloatVector>();
    }

        [TestMethod]
    public void BothExpFormsAreWithinTwoUlpsAtEveryWidth()
    {
        // The kernels take the table form where Lookup8 is one instruction; both forms are checked at every width so
        // neither goes untested on a machine that does not pick it.
        CheckExpForms<SimdFloat128>();
        CheckExpForms<SimdFloat256>();
        CheckExpForms<SimdFloat512>();
        CheckExpForms<SimdFloatVector>();
    }

    private static void CheckExpForms<TVector>()
        where TVector : struct, ISimdFloat<TVector>
    {
        string name = typeof(TVector).Name;
        const int Count = 400_000;

        // The whole clamped range, its two ends included.
        float Sample(int i) => Math.Clamp(VectorMath.ExpLowerBound + ((VectorMath.ExpUpperBound - VectorMath.ExpLowerBound) * i / (Count - 1)), VectorMath.ExpLowerBound, VectorMath.ExpUpperBound);
        float worstTable = WorstUlps<TVector>(VectorMath.ExpClampedByTable, Sample, Count, Math.Exp);
        float worstTableOfFour = WorstUlps<TVector>(VectorMath.ExpClampedByTableOfFour, Sample, Count, Math.Exp);
        float worstPolynomial = WorstUlps<TVector>(VectorMath.ExpClampedByPolynomial, Sample, Count, Math.Exp);
        Assert.IsLessThanOrEqualTo(2f, worstTable, $"{name}: worst table exp error {worstTable} ulps");
        Assert.IsLessThanOrEqualTo(1.5f, worstTableOfFour, $"{name}: worst four-entry table exp error {worstTableOfFour} ulps");
        Assert.IsLessThanOrEqualTo(2f, worstPolynomial, $"{name}: worst polynomial exp error {worstPolynomial} ulps");
    }

    /// <summary>
    /// <see cref="VectorMath.Log1PNonNegative{TVector}"/> from 0 and the smallest normal float (where ln(1 + u) = u to
    /// float precision, which ln of a rounded 1 + u would make 0) through 1 (the small-u cancellation region) to 2¹⁰⁰
    /// (binary cross-entropy's product of 64 factors 1 + e stays below 2⁶⁴).
    /// </summary>
    private static void CheckLog1P<TVector>()
        where TVector : struct, ISimdFloat<TVector>
    {
        string name = typeof(TVector).Name;
        const int Count = 200_001;
        float Sample(int i) => i == 0 ? 0f : MathF.Pow(2, -126f + (226f * (i - 1) / (Count - 2)));
        float worst = WorstUlps<TVector>(VectorMath.Log1PNonNegative, Sample, Count, Log1P);
        Assert.IsLessThanOrEqualTo(2f, worst, $"{name}: worst log1p error {worst} ulps");
    }

    /// <summary>ln(1 + u) in double without rounding 1 + u first for small u (its series to u⁵/5, below 2⁻⁵⁰ relative for u &lt; 2⁻¹⁰).</summary>
    private static double Log1P(double u) => u < 1.0 / 1024 ? u * (1 - (u * ((1.0 / 2) - (u * ((1.0 / 3) - (u * ((1.0 / 4) - (u / 5)))))))) : Math.Log(1 + u);

        private static void CheckOperations<TVector>()
        where TVector : struct, ISimdFloat<TVector>
    {
        int n = TVector.Count;
        string name = typeof(TVector).Name;
        var random = new Random(n);
        float[] a = Enumerable.Range(0, n + 3).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
        float[] b = Enumerable.Range(0, n + 3).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
        int[] bits = Enumerable.Range(0, n + 3).Select(i => i % 3 == 0 ? 7 : random.Next(-1000, 1000)).ToArray();
        b[2] = a[2]; // one equal pair (lane 1), so the comparisons see equality too

        // Loads at an offset: lane i is element 1 + i.
        TVector x = TVector.Load(ref a[0], 1), y = TVector.Load(ref b[0], 1), c = TVector.LoadBits(ref bits[0], 1);
        TVector mask = TVector.GreaterThan(x, y);
        Check(name, "+", x + y, i => a[i] + b[i]);
        Check(name, "-", x - y, i => a[i] - b[i]);
        Check(name, "negate", -x, i => -a[i]);
        Check(name, "*", x * y, i => a[i] * b[i]);
        Check(name, "/", x / y, i => a[i] / b[i]);
        Check(name, "multiply-add", TVector.MultiplyAdd(x, y, TVector.Create(0.5f)), i => MathF.FusedMultiplyAdd(a[i], b[i], 0.5f), tolerance: 1e-5f);
        Check(name, "max", TVector.MaxNative(x, y), i => Math.Max(a[i], b[i]));
        Check(name, "min", TVector.MinNative(x, y), i => Math.Min(a[i], b[i]));
        CheckMask(name, "<", TVector.LessThan(x, y), i => a[i] < b[i]);
        CheckMask(name, ">", mask, i => a[i] > b[i]);
        CheckMask(name, ">=", TVector.GreaterThanOrEqual(x, y), i => a[i] >= b[i]);
        CheckMask(name, "bits equal", TVector.BitsEqual(c, TVector.CreateBits(7)), i => bits[i] == 7);
        Check(name, "select", TVector.Select(mask, x, y), i => a[i] > b[i] ? a[i] : b[i]);
        Check(name, "select by sign", TVector.SelectBySign(x, x, y), i => float.IsNegative(a[i]) ? a[i] : b[i]);
        Check(name, "select by sign of −0", TVector.SelectBySign(TVector.CreateBits(int.MinValue), x, y), i => a[i]);
        Check(name, "select by sign of +0", TVector.SelectBySign(TVector.Zero, x, y), i => b[i]);
        Check(name, "and-not", TVector.AndNot(x, TVector.CreateBits(int.MinValue)), i => Math.Abs(a[i]));
        Check(name, "xor", x ^ TVector.CreateBits(int.MinValue), i => -a[i]);
        Check(name, "or", x | TVector.CreateBits(int.MinValue), i => -Math.Abs(a[i]));
        Check(name, "and", x & TVector.CreateBits(int.MaxValue), i => Math.Abs(a[i]));
        Check(name, "not", ~~x, i => a[i]);
        CheckBits(name, "add bits", TVector.AddBits(c, TVector.CreateBits(5)), i => bits[i] + 5);
        CheckBits(name, "max bits", TVector.MaxBits(c, TVector.CreateBits(-3)), i => Math.Max(bits[i], -3));
        CheckBits(name, "add, shift left", TVector.AddBitsShiftLeft(c, 3, 4), i => (bits[i] + 3) << 4);
        CheckBits(name, "shift right", TVector.ShiftRightArithmeticBits(c, 2), i => bits[i] >> 2);
        CheckBits(name, "shift left", TVector.ShiftLeftBits(c, 20), i => bits[i] << 20);
        int[] table = [11, -22, 33, -44, 55, -66, 77, -88];
        CheckBits(name, "lookup8 (low three bits)", TVector.Lookup8(Vector256.Create(table), c), i => table[bits[i] & 7]);
        CheckBits(name, "lookup4 (low two bits)", TVector.Lookup4(Vector128.Create(table[0], table[1], table[2], table[3]), c), i => table[bits[i] & 3]);
        Check(name, "convert", TVector.ConvertBitsToSingle(c), i => bits[i]);
        Check(name, "zero, one", TVector.Zero + TVector.One + TVector.Create(2f), _ => 3f);
        Assert.AreEqual(a.Skip(1).Take(n).Sum(v => (double)v), TVector.SumAsDouble(x), 1e-9, $"{name} sum");

        // A store writes exactly its n lanes at the offset.
        var destination = new float[n + 2];
        TVector.Store(x, ref destination[0], 1);
        Assert.AreEqual(0f, destination[0], $"{name} store before");
        Assert.AreEqual(0f, destination[n + 1], $"{name} store after");
        CollectionAssert.AreEqual(a.Skip(1).Take(n).ToArray(), destination.Skip(1).Take(n).ToArray(), $"{name} store");
    }

    private static void CheckExpAndLog<TVector>()
        where TVector : struct, ISimdFloat<TVector>
    {
        int n = TVector.Count;
        string name = typeof(TVector).Name;
        float worstExp = WorstUlps<TVector>(VectorMath.Exp, i => -87f + (175f * i / 20_000f), 20_001, Math.Exp);
        float worstLog = WorstUlps<TVector>(VectorMath.Log, i => MathF.Pow(2, -125f + (252f * i / 20_000f)), 20_001, Math.Log);
        Assert.IsLessThanOrEqualTo(2f, worstExp, $"{name}: worst exp error {worstExp} ulps");
        Assert.IsLessThanOrEqualTo(2f, worstLog, $"{name}: worst log error {worstLog} ulps");
        var lanes = new float[n];
        var result = new float[n];
        Array.Fill(lanes, -88f);
        TVector.Store(VectorMath.ExpNonPositive(TVector.Load(ref lanes[0], 0)), ref result[0], 0);
        Assert.IsTrue(result.All(v => v == 0f), $"{name}: exp underflows to 0");
        Array.Fill(lanes, 89f);
        TVector.Store(VectorMath.Exp(TVector.Load(ref lanes[0], 0)), ref result[0], 0);
        Assert.IsTrue(result.All(float.IsPositiveInfinity), $"{name}: exp overflows to +inf");
    }

    /// <summary>
    /// The worst error, in ulps of the float result, of <paramref name="function"/> on <paramref name="sample"/>(0 …
    /// count − 1) against the double <paramref name="reference"/> (an absolute error in units of ε where it is 0).
    /// Consecutive samples share a vector, so a shuffle or a broadcast in the code would show.
    /// </summary>
    private static float WorstUlps<TVector>(Func<TVector, TVector> function, Func<int, float> sample, int count, Func<double, double> reference)
        where TVector : struct, ISimdFloat<TVector>
    {
        int n = TVector.Count;
        var lanes = new float[n];
        var result = new float[n];
        float worst = 0;
        for (int start = 0; start < count; start += n)
        {
            for (int i = 0; i < n; i++)
            {
                lanes[i] = sample(Math.Min(start + i, count - 1));
            }

            TVector.Store(function(TVector.Load(ref lanes[0], 0)), ref result[0], 0);
            for (int i = 0; i < n; i++)
            {
                double expected = reference(lanes[i]);
                worst = Math.Max(worst, expected == 0 ? Math.Abs(result[i]) / float.Epsilon : VectorMathVectorizedTests.Ulps(result[i], expected));
            }
        }

        return worst;
    }

    private static float[] Lanes<TVector>(TVector v)
        where TVector : struct, ISimdFloat<TVector>
    {
        var lanes = new float[TVector.Count];
        TVector.Store(v, ref lanes[0], 0);
        return lanes;
    }

    /// <summary>Lane i of <paramref name="actual"/> against <paramref name="expected"/>(1 + i), the element it was loaded from.</summary>
    private static void Check<TVector>(string name, string operation, TVector actual, Func<int, float> expected, float tolerance = 0f)
        where TVector : struct, ISimdFloat<TVector>
    {
        float[] lanes = Lanes(actual);
        for (int i = 0; i < lanes.Length; i++)
        {
            float e = expected(1 + i);
            Assert.AreEqual(e, lanes[i], tolerance * Math.Max(1f, Math.Abs(e)), $"{name} {operation}, lane {i}");
        }
    }

    private static void CheckMask<TVector>(string name, string operation, TVector actual, Func<int, bool> expected)
        where TVector : struct, ISimdFloat<TVector>
        => CheckBits(name, operation, actual, i => expected(i) ? -1 : 0);

    private static void CheckBits<TVector>(string name, string operation, TVector actual, Func<int, int> expected)
        where TVector : struct, ISimdFloat<TVector>
    {
        float[] lanes = Lanes(actual);
        for (int i = 0; i < lanes.Length; i++)
        {
            Assert.AreEqual(expected(1 + i), BitConverter.SingleToInt32Bits(lanes[i]), $"{name} {operation}, lane {i}");
        }
    }
}
