using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

[TestClass]
public sealed class SegmentationEvaluatorTests
{
    [TestMethod]
    public void PerClassValuesMatchABruteForceCount()
    {
        var random = new Random(5);
        const int classes = 4;
        var evaluator = new SegmentationEvaluator(classes, new SegmentationEvaluatorOptions { IgnoreIndex = 255 });
        var tp = new long[classes];
        var fp = new long[classes];
        var fn = new long[classes];
        long counted = 0, correct = 0;
        for (int image = 0; image < 5; image++)
        {
            int[] truth = GradientCheck.RandomLabels(random, 300, classes, ignore: 255);
            int[] predicted = truth.Select(t => random.NextDouble() < 0.6 && t != 255 ? t : random.Next(classes)).ToArray();
            evaluator.Add(predicted, truth);
            for (int i = 0; i < truth.Length; i++)
            {
                if (truth[i] == 255)
                {
                    continue;
                }

                counted++;
                if (truth[i] == predicted[i])
                {
                    tp[truth[i]]++;
                    correct++;
                }
                else
                {
                    fn[truth[i]]++;
                    fp[predicted[i]]++;
                }
            }
        }

        SegmentationMetrics m = evaluator.GetMetrics();
        Assert.AreEqual(5, m.ImageCount);
        Assert.AreEqual(counted, m.PixelCount);
        Assert.AreEqual((double)correct / counted, m.PixelAccuracy, 1e-12);
        double[] iou = Enumerable.Range(0, classes).Select(k => (double)tp[k] / (tp[k] + fp[k] + fn[k])).ToArray();
        for (int k = 0; k < classes; k++)
        {
            Assert.AreEqual(iou[k], m.PerClassIoU[k], 1e-12);
            Assert.AreEqual(2.0 * tp[k] / ((2 * tp[k]) + fp[k] + fn[k]), m.PerClassDice[k], 1e-12);
            Assert.AreEqual((double)tp[k] / (tp[k] + fp[k]), m.PerClassPrecision[k], 1e-12);
            Assert.AreEqual((double)tp[k] / (tp[k] + fn[k]), m.PerClassRecall[k], 1e-12);
            Assert.AreEqual(tp[k] + fn[k], m.PerClassSupport[k]);
        }

        Assert.AreEqual(iou.Average(), m.MeanIoU, 1e-12);
        Assert.AreEqual(Enumerable.Range(0, classes).Sum(k => (double)(tp[k] + fn[k]) / counted * iou[k]), m.FrequencyWeightedIoU, 1e-12);
    }

    [TestMethod]
    public void PyTorchMetricsFollowFromItsConfusionMatrix()
    {
        // The scenes-lraspp reference holds PyTorch's confusion matrix and the metrics it computed from it: feed the
        // matrix back as masks and the formulas must agree (the model run itself is tested with the ONNX layer).
        string path = Path.Combine(SharedData.RequireDirectory("fixtures/scenes-lraspp"), "reference.json");
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = reference.RootElement;
        long[][] matrix = root.GetProperty("confusion_rows_truth_cols_pred").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        int classes = matrix.Length;
        var truth = new List<int>();
        var predicted = new List<int>();
        for (int t = 0; t < classes; t++)
        {
            for (int p = 0; p < classes; p++)
            {
                truth.AddRange(Enumerable.Repeat(t, (int)matrix[t][p]));
                predicted.AddRange(Enumerable.Repeat(p, (int)matrix[t][p]));
            }
        }

        var evaluator = new SegmentationEvaluator(classes);
        evaluator.Add(predicted.ToArray(), truth.ToArray());
        SegmentationMetrics m = evaluator.GetMetrics();
        double[] iou = root.GetProperty("iou").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] dice = root.GetProperty("dice").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int k = 0; k < classes; k++)
        {
            Assert.AreEqual(iou[k], m.PerClassIoU[k], 1e-12);
            Assert.AreEqual(dice[k], m.PerClassDice[k], 1e-12);
            for (int p = 0; p < classes; p++)
            {
                Assert.AreEqual(matrix[k][p], m.GetConfusionCount(k, p));
            }
        }

        Assert.AreEqual(root.GetProperty("miou").GetDouble(), m.MeanIoU, 1e-12);
        Assert.AreEqual(root.GetProperty("pixel_accuracy").GetDouble(), m.PixelAccuracy, 1e-12);
        Assert.AreEqual(root.GetProperty("mean_class_accuracy").GetDouble(), m.MeanAccuracy, 1e-12);
    }

    [TestMethod]
    public void MergeEqualsOneEvaluatorOverEverything()
    {
        var random = new Random(6);
        var all = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { Reduction = MetricReduction.MacroImagewise });
        var a = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { Reduction = MetricReduction.MacroImagewise });
        var b = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { Reduction = MetricReduction.MacroImagewise });
        for (int i = 0; i < 6; i++)
        {
            int[] truth = GradientCheck.RandomLabels(random, 50, 3);
            int[] predicted = GradientCheck.RandomLabels(random, 50, 3);
            all.Add(predicted, truth);
            (i % 2 == 0 ? a : b).Add(predicted, truth);
        }

        a.Merge(b);
        SegmentationMetrics expected = all.GetMetrics(), merged = a.GetMetrics();
        Assert.AreEqual(expected.MeanIoU, merged.MeanIoU, 1e-12);
        Assert.AreEqual(expected.GetFormattedConfusionTable(), merged.GetFormattedConfusionTable());
    }

    [TestMethod]
    public void AbsentClassesAreSkippedByDefault()
    {
        var evaluator = new SegmentationEvaluator(3);
        evaluator.Add(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 0 });
        SegmentationMetrics m = evaluator.GetMetrics();
        Assert.IsTrue(double.IsNaN(m.PerClassIoU[2]));
        Assert.AreEqual(((2.0 / 3) + 0.5) / 2, m.MeanIoU, 1e-12);

        var zero = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { AbsentClass = AbsentClassPolicy.Zero });
        zero.Add(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 0 });
        Assert.AreEqual(((2.0 / 3) + 0.5) / 3, zero.GetMetrics().MeanIoU, 1e-12);
    }

    [TestMethod]
    public void TablesNameTheClasses()
    {
        var evaluator = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { ClassNames = new[] { "background", "lesion" } });
        evaluator.Add(new[] { 0, 1, 1, 0 }, new[] { 0, 1, 0, 0 });
        SegmentationMetrics m = evaluator.GetMetrics();
        string table = m.GetFormattedConfusionTable();
        StringAssert.Contains(table, "lesion");
        StringAssert.Contains(table, "Precision");
        StringAssert.Contains(table, "0.6667"); // recall of background: 2 of 3
        StringAssert.Contains(m.GetFormattedPerClassTable(), "mIoU");
    }

    [TestMethod]
    public void BoundaryMetricsAreMeansOfTheDirectPerImageValues()
    {
        var random = new Random(9);
        const int classes = 3, height = 12, width = 17;
        var evaluator = new SegmentationEvaluator(classes, new SegmentationEvaluatorOptions { BoundaryMetrics = BoundaryMetricOptions.Hd95() });
        var hd = new List<double>[classes];
        var nsd = new List<double>[classes];
        for (int c = 0; c < classes; c++)
        {
            hd[c] = new List<double>();
            nsd[c] = new List<double>();
        }

        int[] shape = { height, width };
        for (int image = 0; image < 4; image++)
        {
            // Blocky masks, so classes have real boundaries; class 2 is missing from the last image's truth.
            int[] truth = Enumerable.Range(0, height * width).Select(i => ((i / width / 4) + (i % width / 5) + image) % (image == 3 ? 2 : 3)).ToArray();
            int[] predicted = truth.Select(t => random.NextDouble() < 0.1 ? random.Next(classes) : t).ToArray();
            evaluator.Add(predicted, truth, height, width);
            for (int c = 0; c < classes; c++)
            {
                byte[] p = predicted.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
                byte[] t = truth.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
                double h = BoundaryMetrics.HausdorffDistance(p, t, shape, new BoundaryMetricOptions { Percentile = 95 });
                double n = BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, 1);
                if (double.IsFinite(h))
                {
                    hd[c].Add(h);
                }

                if (double.IsFinite(n))
                {
                    nsd[c].Add(n);
                }
            }
        }

        BoundaryResults b = evaluator.GetMetrics().Boundary!;
        for (int c = 0; c < classes; c++)
        {
            Assert.AreEqual(hd[c].Average(), b.PerClassHausdorff[c], 1e-12, $"HD95 of class {c}");
            Assert.AreEqual(nsd[c].Average(), b.PerClassSurfaceDice[c], 1e-12, $"NSD of class {c}");
        }

        StringAssert.Contains(evaluator.GetMetrics().GetFormattedPerClassTable(), "HD95");
        var plain = new SegmentationEvaluator(2);
        plain.Add(new[] { 0, 1 }, new[] { 0, 1 });
        Assert.IsNull(plain.GetMetrics().Boundary);
        Assert.ThrowsExactly<InvalidOperationException>(() => evaluator.Add(new int[4], new int[4]));
    }

    [TestMethod]
    public void BadUseIsRejected()
    {
        Assert.ThrowsExactly<InvalidOperationException>(() => new SegmentationEvaluator(2).GetMetrics());
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { ClassNames = new[] { "one" } }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { Reduction = MetricReduction.PerClass }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationEvaluator(2).Add(new[] { 0 }, new[] { 0, 1 }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationEvaluator(2).Add(new[] { 0 }, new[] { 5 }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationEvaluator(2).Merge(new SegmentationEvaluator(3)));
    }
}
