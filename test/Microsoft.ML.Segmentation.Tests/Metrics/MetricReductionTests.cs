using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

/// <summary>Each reduction against a direct implementation of its definition (smp's for the first seven).</summary>
[TestClass]
public sealed class MetricReductionTests
{
    private const double Delta = 1e-12;
    private const int Images = 5;
    private const int Classes = 4;

    private static ConfusionCounts[] RandomImages(bool withAbsent)
    {
        var random = new Random(42);
        var images = new ConfusionCounts[Images];
        for (int n = 0; n < Images; n++)
        {
            var matrix = new ConfusionMatrix(Classes);
            int pixels = 50;
            var predicted = new int[pixels];
            var truth = new int[pixels];
            for (int i = 0; i < pixels; i++)
            {
                // Class 3 never occurs when withAbsent; image 0 also lacks class 2 entirely.
                int range = withAbsent ? (n == 0 ? 2 : 3) : Classes;
                predicted[i] = random.Next(range);
                truth[i] = random.Next(range);
            }

            matrix.Add(predicted, truth);
            images[n] = matrix.ToCounts();
        }

        return images;
    }

    private static double Iou(ClassConfusion k)
        => k.TruePositives + k.FalsePositives + k.FalseNegatives == 0 ? double.NaN
            : (double)k.TruePositives / (k.TruePositives + k.FalsePositives + k.FalseNegatives);

    private static ClassConfusion SumImages(ConfusionCounts[] images, int c)
        => images.Aggregate(default(ClassConfusion), (acc, image) => acc + image[c]);

    private static ClassConfusion SumClasses(ConfusionCounts image)
        => image.Classes.Aggregate(default(ClassConfusion), (acc, k) => acc + k);

    private static double Mean(IEnumerable<double> values)
    {
        double[] defined = values.Where(v => !double.IsNaN(v)).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }

    private static double WeightedMean(IReadOnlyList<double> values, IReadOnlyList<double> weights)
    {
        double sum = 0, weightSum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsNaN(values[i]) && weights[i] != 0)
            {
                sum += weights[i] * values[i];
                weightSum += weights[i];
            }
        }

        return weightSum == 0 ? double.NaN : sum / weightSum;
    }

    private static double[] Compute(ConfusionCounts[] images, MetricReduction reduction, double[]? weights = null)
        => ConfusionMetrics.Compute(ConfusionMetric.Iou, images, new MetricOptions { Reduction = reduction, ClassWeights = weights });

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void EveryReduction_MatchesDefinition(bool withAbsent)
    {
        ConfusionCounts[] images = RandomImages(withAbsent);
        double[] support = Enumerable.Range(0, Classes).Select(c => (double)SumImages(images, c).Support).ToArray();
        double[] perClass = Enumerable.Range(0, Classes).Select(c => Iou(SumImages(images, c))).ToArray();
        double[,] grid = new double[Images, Classes];
        for (int n = 0; n < Images; n++)
        {
            for (int c = 0; c < Classes; c++)
            {
                grid[n, c] = Iou(images[n][c]);
            }
        }

        double[] perClassImagewise = Enumerable.Range(0, Classes).Select(c => Mean(Enumerable.Range(0, Images).Select(n => grid[n, c]))).ToArray();
        double[] perImage = Enumerable.Range(0, Images).Select(n => Mean(Enumerable.Range(0, Classes).Select(c => grid[n, c]))).ToArray();

        AssertSequence(grid.Cast<double>().ToArray(), Compute(images, MetricReduction.None));
        AssertSequence(perClass, Compute(images, MetricReduction.PerClass));
        AssertSequence(perClassImagewise, Compute(images, MetricReduction.PerClassImagewise));
        AssertSequence(perImage, Compute(images, MetricReduction.PerImage));

        ClassConfusion all = images.Aggregate(default(ClassConfusion), (acc, image) => acc + SumClasses(image));
        Assert.AreEqual(Iou(all), Compute(images, MetricReduction.Micro)[0], Delta);
        Assert.AreEqual(Mean(perClass), Compute(images, MetricReduction.Macro)[0], Delta);
        Assert.AreEqual(WeightedMean(perClass, support), Compute(images, MetricReduction.Weighted)[0], Delta);
        Assert.AreEqual(Mean(images.Select(image => Iou(SumClasses(image)))), Compute(images, MetricReduction.MicroImagewise)[0], Delta);
        Assert.AreEqual(Mean(perClassImagewise), Compute(images, MetricReduction.MacroImagewise)[0], Delta);
        Assert.AreEqual(WeightedMean(perClassImagewise, support), Compute(images, MetricReduction.WeightedImagewise)[0], Delta);
        Assert.AreEqual(Mean(perImage), Compute(images, MetricReduction.MacroPerImage)[0], Delta);
        Assert.AreEqual(Mean(grid.Cast<double>()), Compute(images, MetricReduction.PooledImagewise)[0], Delta);

        double weightedPerImage = Mean(Enumerable.Range(0, Images).Select(n =>
            WeightedMean(Enumerable.Range(0, Classes).Select(c => grid[n, c]).ToArray(), images[n].Classes.Select(k => (double)k.Support).ToArray())));
        Assert.AreEqual(weightedPerImage, Compute(images, MetricReduction.WeightedPerImage)[0], Delta);
    }

    [TestMethod]
    public void Weighted_UsesGivenClassWeights()
    {
        ConfusionCounts[] images = RandomImages(withAbsent: false);
        double[] weights = { 0, 1, 2, 3 };
        double[] perClass = Compute(images, MetricReduction.PerClass);
        Assert.AreEqual(WeightedMean(perClass, weights), Compute(images, MetricReduction.Weighted, weights)[0], Delta);
    }

    [TestMethod]
    public void AbsentClassPolicies()
    {
        // Class 0: IoU 1/2. Class 1: absent (0/0). Class 2: truth only, IoU 0.
        var counts = new ConfusionCounts(new[] { new ClassConfusion(1, 1, 0, 2), new ClassConfusion(0, 0, 0, 4), new ClassConfusion(0, 0, 1, 3) });
        double Macro(AbsentClassPolicy policy) => ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, new MetricOptions { AbsentClass = policy })[0];
        Assert.AreEqual(0.25, Macro(AbsentClassPolicy.Skip), Delta);
        Assert.IsTrue(double.IsNaN(Macro(AbsentClassPolicy.NaN)));
        Assert.AreEqual(0.5 / 3, Macro(AbsentClassPolicy.Zero), Delta);
        Assert.AreEqual(1.5 / 3, Macro(AbsentClassPolicy.One), Delta);

        double[] perClass = ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, new MetricOptions { Reduction = MetricReduction.PerClass, SkippedValue = -1 });
        CollectionAssert.AreEqual(new[] { 0.5, -1, 0 }, perClass);
    }

    [TestMethod]
    public void EmptyTruthCriterion_SkipsPredictedButAbsentClasses()
    {
        // Class 1 has no truth but one false positive: MONAI ignore_empty leaves it out, the default scores it 0.
        var counts = new ConfusionCounts(new[] { new ClassConfusion(2, 0, 0, 2), new ClassConfusion(0, 1, 0, 3) });
        var ignoreEmpty = new MetricOptions { Absence = AbsenceCriterion.EmptyTruth };
        Assert.AreEqual(1.0, ConfusionMetrics.Compute(ConfusionMetric.Dice, counts, ignoreEmpty)[0], Delta);
        Assert.AreEqual(0.5, ConfusionMetrics.Compute(ConfusionMetric.Dice, counts)[0], Delta);
    }

    [TestMethod]
    public void EmptyTruthAndPrediction_UsesZeroDivisionValueForOtherZeroDenominators()
    {
        // Recall of class 1 is 0/0 although the class was predicted: torchmetrics counts 0 there, and skips class 2.
        var counts = new ConfusionCounts(new[] { new ClassConfusion(2, 0, 1, 1), new ClassConfusion(0, 1, 0, 3), new ClassConfusion(0, 0, 0, 4) });
        var options = new MetricOptions { Absence = AbsenceCriterion.EmptyTruthAndPrediction, ZeroDivisionValue = 0 };
        Assert.AreEqual((2.0 / 3) / 2, ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, options)[0], Delta);
    }

    [TestMethod]
    public void EmptyAverageValue_AppliesWhenNothingIsScored()
    {
        var absent = new ConfusionCounts(new[] { new ClassConfusion(0, 0, 0, 4), new ClassConfusion(0, 0, 0, 4) });
        Assert.IsTrue(double.IsNaN(ConfusionMetrics.Compute(ConfusionMetric.Iou, absent)[0]));
        Assert.AreEqual(0.0, ConfusionMetrics.Compute(ConfusionMetric.Iou, absent, new MetricOptions { EmptyAverageValue = 0 })[0]);
    }

    private static void AssertSequence(double[] expected, double[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.IsTrue(double.IsNaN(actual[i]), $"index {i}: expected NaN, got {actual[i]}");
            }
            else
            {
                Assert.AreEqual(expected[i], actual[i], Delta, $"index {i}");
            }
        }
    }
}
