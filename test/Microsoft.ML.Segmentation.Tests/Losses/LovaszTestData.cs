namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>Seeded random inputs and a central-difference gradient for the Lovász tests.</summary>
internal static class LovaszTestData
{
    public const int Ignore = 255;

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double[] Uniform(Random random, int count, double low, double high)
        => Enumerable.Range(0, count).Select(_ => low + ((high - low) * random.NextDouble())).ToArray();

    /// <summary>Labels in [0, <paramref name="labelCount"/>), each ignored (255) with probability <paramref name="ignoreRate"/>.</summary>
    public static int[] Labels(Random random, int count, int labelCount, double ignoreRate)
        => Enumerable.Range(0, count).Select(_ => random.NextDouble() < ignoreRate ? Ignore : random.Next(labelCount)).ToArray();

    /// <summary>The labels with <see cref="Ignore"/> turned into −1, as <see cref="LovaszBruteForce"/> reads them.</summary>
    public static int[] ForBruteForce(int[] labels) => labels.Select(l => l == Ignore ? -1 : l).ToArray();

    /// <summary>Central differences of <paramref name="f"/> at <paramref name="x"/>.</summary>
    public static double[] NumericGradient(Func<double[], double> f, double[] x, double step = 1e-6)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + step;
            double plus = f(probe);
            probe[i] = x[i] - step;
            double minus = f(probe);
            probe[i] = x[i];
            gradient[i] = (plus - minus) / (2 * step);
        }

        return gradient;
    }

    public static void AssertClose(double[] expected, double[] actual, double delta)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], delta, $"element {i}");
        }
    }
}
