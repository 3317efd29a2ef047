using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary><c>VectorMath</c>'s float exp and log against <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/> in double, in ulps of the float result.</summary>
[TestClass]
public sealed class VectorMathVectorizedTests
{
    [TestMethod]
    public void ExpIsWithinTwoUlpsOverItsRange()
    {
        float worst = 0;
        foreach (float x in Samples(-87f, 88f, 200_001).Concat([0f, -0f, 1e-7f, -1e-7f, 0.3465736f, -0.3465736f]))
        {
            float actual = Apply(VectorMath.Exp, x);
            worst = Math.Max(worst, Ulps(actual, Math.Exp(x)));
        }

        Assert.IsLessThanOrEqualTo(2f, worst, $"worst exp error {worst} ulps");
    }

    [TestMethod]
    public void ExpUnderflowsToZeroAndOverflowsToInfinity()
    {
        Assert.AreEqual(0f, Apply(VectorMath.Exp, -88f));
        Assert.AreEqual(0f, Apply(VectorMath.Exp, -1e30f));
        Assert.AreEqual(float.PositiveInfinity, Apply(VectorMath.Exp, 89f));
        Assert.IsTrue(Apply(VectorMath.Exp, VectorMath.ExpLowerBound) > 0);
        Assert.IsTrue(float.IsFinite(Apply(VectorMath.Exp, VectorMath.ExpUpperBound)));
    }

    [TestMethod]
    public void LogIsWithinTwoUlpsOnNormalFloats()
    {
        float worst = 0;
        IEnumerable<float> samples = Samples(-125f, 127f, 100_001).Select(e => MathF.Pow(2, e))
            .Concat(Samples(0.5f, 2f, 100_001))
            .Concat([1f, float.Epsilon * (1 << 23), float.MaxValue, 0.70710677f, 0.7071068f, 1.4142135f]);
        foreach (float x in samples)
        {
            float actual = Apply(VectorMath.Log, x);
            double expected = Math.Log(x);
            worst = expected == 0 ? Math.Max(worst, Math.Abs(actual) / float.Epsilon) : Math.Max(worst, Ulps(actual, expected));
        }

        Assert.IsLessThanOrEqualTo(2f, worst, $"worst log error {worst} ulps");
    }

    [TestMethod]
    public void EveryLaneIsComputedOnItsOwn()
    {
        // Lanes carry different values, so a shuffle or a broadcast in the code would show.
        var values = new float[Vector<float>.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = -3f + (1.7f * i);
        }

        Vector<float> exp = VectorMath.Exp(new Vector<float>(values));
        Vector<float> log = VectorMath.Log(new Vector<float>(values.Select(v => v + 10).ToArray()));
        for (int i = 0; i < values.Length; i++)
        {
            Assert.IsLessThanOrEqualTo(2f, Ulps(exp[i], Math.Exp(values[i])), $"exp lane {i}");
            Assert.IsLessThanOrEqualTo(2f, Ulps(log[i], Math.Log(values[i] + 10)), $"log lane {i}");
        }
    }

    /// <summary>
    /// <see cref="VectorMath.AccumulateExpOfDifference"/> adds e^(x − shift) to every element, the vector body and the
    /// scalar tail alike (lengths around the width), against the sum in double.
    /// </summary>
    [TestMethod]
    public void AccumulatedExpsOfDifferencesAreEachWithinTwoUlps()
    {
        var random = new Random(9);
        foreach (int n in new[] { 1, Vector<float>.Count - 1, Vector<float>.Count, (3 * Vector<float>.Count) + 1, 1029 })
        {
            float[] x = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 60) - 50)).ToArray();
            float[] shift = x.Select(v => v + (float)(random.NextDouble() * 30)).ToArray();
            float[] sum = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            double[] expected = sum.Select((v, i) => v + Math.Exp((double)x[i] - shift[i])).ToArray();
            VectorMath.AccumulateExpOfDifference(x, shift, sum);
            for (int i = 0; i < n; i++)
            {
                // The sum rounds once more than the exp: within two ulps of the double sum plus the exp's own.
                Assert.IsLessThanOrEqualTo(3f, Ulps(sum[i], expected[i]), $"n = {n}, element {i}: {sum[i]} vs {expected[i]}");
            }
        }
    }

    private static float Apply(Func<Vector<float>, Vector<float>> f, float x) => f(new Vector<float>(x))[0];

    /// <summary>|actual − expected| in units of the float spacing at the expected value.</summary>
    internal static float Ulps(float actual, double expected)
    {
        float reference = (float)expected;
        double ulp = Math.Abs((double)MathF.BitIncrement(Math.Abs(reference)) - Math.Abs(reference));
        return (float)(Math.Abs(actual - expected) / ulp);
    }

    private static IEnumerable<float> Samples(float from, float to, int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return from + ((to - from) * i / (count - 1));
        }
    }
}
