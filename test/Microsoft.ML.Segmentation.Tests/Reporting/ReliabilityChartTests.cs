using System.Globalization;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Support;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary>
/// The reliability diagram against a brute-force binning of the same pixels, read back from the laid-out PlotModel, and
/// the report's page with and without calibration.
/// </summary>
[TestClass]
public sealed class ReliabilityChartTests
{
    private const int Bins = 10;
    private static readonly string[] s_names = ["bg", "road", "car"];

    /// <summary>
    /// Random softmax-like probabilities, sharpened so that confidences spread over (1/3, 1]: with three classes the top
    /// label is never below 1/3, so bins 0–2 stay empty. One pixel is exactly certain (1 goes to the last bin), and every
    /// tenth pixel is ignored (255), which no bin may count.
    /// </summary>
    private static (float[] Probabilities, int[] Truth, int[] Predicted) Pixels(int count, int seed)
    {
        var random = new Random(seed);
        int c = s_names.Length;
        var probabilities = new float[c * count];
        var truth = new int[count];
        var predicted = new int[count];
        for (int i = 0; i < count; i++)
        {
            double[] e = Enumerable.Range(0, c).Select(_ => Math.Exp(4 * random.NextDouble() * random.NextDouble() * 3)).ToArray();
            if (i == 0)
            {
                e = [0, 1, 0];
            }

            double sum = e.Sum();
            for (int k = 0; k < c; k++)
            {
                probabilities[(k * count) + i] = (float)(e[k] / sum);
            }

            predicted[i] = Enumerable.Range(0, c).MaxBy(k => probabilities[(k * count) + i]);

            // Right about two times in three, so that the accuracies differ from the confidences.
            truth[i] = i % 10 == 9 ? 255 : random.Next(3) < 2 ? predicted[i] : random.Next(c);
        }

        return (probabilities, truth, predicted);
    }

    private static SegmentationMetrics Metrics(float[] probabilities, int[] truth, int[] predicted)
    {
        var evaluator = new SegmentationEvaluator(s_names.Length, new SegmentationEvaluatorOptions
        {
            ClassNames = s_names,
            IgnoreIndex = 255,
            Calibration = new CalibrationOptions { Bins = Bins },
        });
        evaluator.Add(predicted, truth);
        evaluator.AddProbabilities(probabilities, truth);
        return evaluator.GetMetrics();
    }

    /// <summary>Per bin: count, accuracy and mean confidence, by looking at every pixel.</summary>
    private static (long Count, double Accuracy, double Confidence)[] BruteForce(float[] probabilities, int[] truth)
    {
        int c = s_names.Length, count = truth.Length;
        var n = new long[Bins];
        var correct = new double[Bins];
        var confidence = new double[Bins];
        for (int i = 0; i < count; i++)
        {
            if (truth[i] == 255)
            {
                continue;
            }

            int top = 0;
            for (int k = 1; k < c; k++)
            {
                top = probabilities[(k * count) + i] > probabilities[(top * count) + i] ? k : top;
            }

            double p = probabilities[(top * count) + i];
            int bin = Math.Min((int)(p * Bins), Bins - 1);
            n[bin]++;
            correct[bin] += top == truth[i] ? 1 : 0;
            confidence[bin] += p;
        }

        return Enumerable.Range(0, Bins).Select(b => (n[b], correct[b] / n[b], confidence[b] / n[b])).ToArray();
    }

    [TestMethod]
    public void BarsAreTheBinsAccuraciesAndEmptyBinsDrawNone()
    {
        using var temp = new TempDirectory();
        (float[] probabilities, int[] truth, int[] predicted) = Pixels(400, 3);
        SegmentationMetrics metrics = Metrics(probabilities, truth, predicted);
        CalibrationResults calibration = metrics.Calibration!;
        PlotModel model = ReliabilityChart.Model(calibration);
        ReportCharts.Save(model, temp.File("reliability.svg"), 800, 600);

        (long Count, double Accuracy, double Confidence)[] expected = BruteForce(probabilities, truth);
        int[] filled = Enumerable.Range(0, Bins).Where(b => expected[b].Count > 0).ToArray();
        int[] empty = Enumerable.Range(0, Bins).Where(b => expected[b].Count == 0).ToArray();
        CollectionAssert.IsSubsetOf(new[] { 0, 1, 2 }, empty, "no top label lies below 1/3");
        Assert.IsGreaterThanOrEqualTo(5, filled.Length, "the data must fill most bins above 1/3");
        Assert.AreEqual(1f, probabilities[400], "pixel 0 is certain of class 1 (channel 1 of 400 pixels)");
        Assert.IsGreaterThan(0, expected[Bins - 1].Count);
        Assert.AreEqual(truth.Count(t => t != 255), expected.Sum(e => e.Count));

        RectangleBarSeries[] series = model.Series.OfType<RectangleBarSeries>().ToArray();
        RectangleBarSeries accuracy = series.Single(s => s.YAxisKey == "accuracy" && s.Title.StartsWith("accuracy", StringComparison.Ordinal));
        RectangleBarSeries gap = series.Single(s => s.Title.StartsWith("gap", StringComparison.Ordinal));
        RectangleBarSeries share = series.Single(s => s.YAxisKey == "share");
        Assert.HasCount(filled.Length, accuracy.Items, "one bar per non-empty bin, none for an empty one");
        Assert.HasCount(filled.Length, gap.Items);
        Assert.HasCount(filled.Length, share.Items);
        for (int j = 0; j < filled.Length; j++)
        {
            int b = filled[j];
            (long count, double acc, double conf) = expected[b];
            RectangleBarItem bar = accuracy.Items[j];
            Assert.AreEqual((double)b / Bins, bar.X0, 1e-12, $"bin {b} left edge");
            Assert.AreEqual((double)(b + 1) / Bins, bar.X1, 1e-12, $"bin {b} right edge");
            Assert.AreEqual(0.0, bar.Y0);
            Assert.AreEqual(acc, bar.Y1, 1e-12, $"bin {b} accuracy");
            Assert.AreEqual(Math.Min(acc, conf), gap.Items[j].Y0, 1e-6, $"bin {b} gap low");
            Assert.AreEqual(Math.Max(acc, conf), gap.Items[j].Y1, 1e-6, $"bin {b} gap high");
            Assert.AreEqual((double)count / expected.Sum(e => e.Count), share.Items[j].Y1, 1e-12, $"bin {b} share");
        }

        // Every empty bin is marked "0" at its centre in the count panel.
        double[] marks = model.Annotations.OfType<TextAnnotation>().Where(a => a.Text == "0").Select(a => a.TextPosition.X).ToArray();
        Assert.HasCount(empty.Length, marks);
        for (int j = 0; j < empty.Length; j++)
        {
            Assert.AreEqual((empty[j] + 0.5) / Bins, marks[j], 1e-12, $"empty bin {empty[j]}");
        }

        // The accuracy and confidence axes are 0..1; the diagonal runs corner to corner.
        Axis x = model.Axes.Single(a => a.Key == "confidence"), y = model.Axes.Single(a => a.Key == "accuracy");
        Assert.AreEqual(0.0, x.ActualMinimum);
        Assert.AreEqual(1.0, x.ActualMaximum);
        Assert.AreEqual(0.0, y.ActualMinimum);
        Assert.AreEqual(1.0, y.ActualMaximum);
        LineSeries diagonal = model.Series.OfType<LineSeries>().Single();
        CollectionAssert.AreEqual(new[] { new DataPoint(0, 0), new DataPoint(1, 1) }, diagonal.Points.ToArray());

        // The title carries ECE and MCE, which follow from the same bins.
        double ece = filled.Sum(b => expected[b].Count * Math.Abs(expected[b].Accuracy - expected[b].Confidence)) / expected.Sum(e => e.Count);
        double mce = filled.Max(b => Math.Abs(expected[b].Accuracy - expected[b].Confidence));
        StringAssert.Contains(model.Title, "ECE " + ece.ToString("0.0000", CultureInfo.InvariantCulture));
        StringAssert.Contains(model.Title, "MCE " + mce.ToString("0.0000", CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public void ReportShowsTheDiagramOnlyWithCalibration()
    {
        using var temp = new TempDirectory();
        (float[] probabilities, int[] truth, int[] predicted) = Pixels(120, 5);
        var image = new SegmentationReportImage("one", 12, 10, truth, predicted, imagePath: null, loss: null);
        var options = new SegmentationReportOptions { ChartWidth = 640, ChartHeight = 360 };
        string folder = temp.Sub("report");

        SegmentationReport.Write(folder, new SegmentationReportData(Metrics(probabilities, truth, predicted), [image]), options);
        ReportFiles.AssertSvg(Path.Combine(folder, SegmentationReport.ReliabilityChartFileName), 640, 480);
        ReportFiles.AssertInlines(folder, [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName,
            SegmentationReport.ReliabilityChartFileName, SegmentationReport.HistogramFileName, SegmentationReport.WorstFileName(1)]);
        string html = File.ReadAllText(Path.Combine(folder, SegmentationReport.HtmlFileName));
        StringAssert.Contains(html, "class-wise ECE");
        Assert.DoesNotContain("--calibration", html);

        // The same folder again without calibration: no diagram, no stale file, and the page says how to get one.
        var plain = new SegmentationEvaluator(s_names.Length, new SegmentationEvaluatorOptions { ClassNames = s_names, IgnoreIndex = 255 });
        plain.Add(predicted, truth);
        SegmentationReport.Write(folder, new SegmentationReportData(plain.GetMetrics(), [image]), options);
        Assert.IsFalse(File.Exists(Path.Combine(folder, SegmentationReport.ReliabilityChartFileName)));
        ReportFiles.AssertInlines(folder, [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName,
            SegmentationReport.HistogramFileName, SegmentationReport.WorstFileName(1)]);
        html = File.ReadAllText(Path.Combine(folder, SegmentationReport.HtmlFileName));
        StringAssert.Contains(html, "segml eval --calibration");
        StringAssert.Contains(html, "SegmentationEvaluatorOptions.Calibration");
        Assert.DoesNotContain("alt=\"Reliability diagram\"", html);
    }
}
