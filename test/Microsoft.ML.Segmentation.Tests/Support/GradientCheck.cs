using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>Compares a loss's analytic gradient with central finite differences in float64.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// Runs <paramref name="loss"/> twice in float32 on random logits (spread ±<paramref name="spread"/>) and labels (ignore
    /// 255) drawn from <paramref name="random"/>, and asserts that the value and every gradient element repeat bit for
    /// bit: the parallel path's partial sums are added in a fixed order.
    /// </summary>
    public static void AssertRepeatsBitForBit(ISegmentationLoss loss, Random random, SegmentationShape shape, double spread, string what)
    {
        float[] input = RandomInput(random, shape.ElementCount, spread).Select(v => (float)v).ToArray();
        int[] labels = RandomLabels(random, shape.PixelCount, shape.Classes, ignore: 255);
        var first = new float[input.Length];
        var second = new float[input.Length];
        double a = loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), first);
        double b = loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), second);
        Assert.AreEqual(a, b, what);
        CollectionAssert.AreEqual(first, second, what);
    }

    public static void AssertMatches(ISegmentationLoss loss, double[] input, SegmentationShape shape, TestTarget target, double step = 1e-6, double tolerance = 1e-6)
    {
        var analytic = new double[input.Length];
        double value = loss.Compute<double>(input, shape, target.Double(), analytic);
        Assert.IsFalse(double.IsNaN(value), $"{loss.Name}: loss is NaN");
        var x = (double[])input.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + step;
            double plus = loss.Compute<double>(x, shape, target.Double());
            x[i] = saved - step;
            double minus = loss.Compute<double>(x, shape, target.Double());
            x[i] = saved;
            double numeric = (plus - minus) / (2 * step);
            double allowed = tolerance * Math.Max(1, Math.Abs(numeric));
            Assert.AreEqual(numeric, analytic[i], allowed, $"{loss.Name}: ∂/∂x[{i}] analytic {analytic[i]:G9} vs numeric {numeric:G9} (loss {value:G9})");
        }
    }

    public static double[] RandomInput(Random random, int length, double scale = 2)
        => Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 2 - 1) * scale).ToArray();

    public static double[] RandomProbabilities(Random random, int length)
        => Enumerable.Range(0, length).Select(_ => 0.05 + (0.9 * random.NextDouble())).ToArray();

    public static int[] RandomLabels(Random random, int length, int classes, int? ignore = null, double ignoreFraction = 0.15)
        => Enumerable.Range(0, length).Select(_ => ignore is int i && random.NextDouble() < ignoreFraction ? i : random.Next(classes)).ToArray();
}
