using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Support;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary>The charts as laid out by OxyPlot: which data each draws and axes that fit it (scores 0..1, whole counts).</summary>
[TestClass]
public sealed class ReportChartsTests
{
    private static readonly string[] s_names = ["bg", "road", "car"];

    /// <summary>Class 2 never appears (NaN IoU and Dice); classes 0 and 1 are partly confused.</summary>
    private static SegmentationMetrics Metrics()
    {
        var evaluator = new SegmentationEvaluator(3, new SegmentationEvaluatorOptions { ClassNames = s_names });
        evaluator.Add([0, 0, 1, 1, 0, 1], [0, 1, 1, 1, 0, 0], 2, 3);
        return evaluator.GetMetrics();
    }

    /// <summary>Lays the model out by writing it, as the report does.</summary>
    private static void Layout(PlotModel model, TempDirectory temp) =>
        ReportCharts.Save(model, temp.File("chart.svg"), new SegmentationReportOptions());

    private static Axis AxisOf(PlotModel model, string key) => model.Axes.Single(a => a.Key == key);

    [TestMethod]
    public void PerClassBarsAreTheScoresOnAUnitAxis()
    {
        using var temp = new TempDirectory();
        SegmentationMetrics metrics = Metrics();
        PlotModel model = ReportCharts.PerClassModel(metrics);
        Layout(model, temp);

        Axis score = AxisOf(model, "score");
        Assert.AreEqual(0.0, score.ActualMinimum);
        Assert.AreEqual(1.0, score.ActualMaximum);
        CollectionAssert.AreEqual(s_names, ((CategoryAxis)AxisOf(model, "class")).Labels.ToArray());

        BarSeries[] bars = model.Series.OfType<BarSeries>().ToArray();
        CollectionAssert.AreEqual(new[] { "IoU", "Dice" }, bars.Select(b => b.Title).ToArray());
        double[][] expected = [metrics.PerClassIoU.ToArray(), metrics.PerClassDice.ToArray()];
        for (int s = 0; s < bars.Length; s++)
        {
            // The absent class draws no bar; the others sit on their classes with their values.
            Assert.IsTrue(double.IsNaN(expected[s][2]));
            CollectionAssert.AreEqual(new[] { 0, 1 }, bars[s].Items.Select(i => i.CategoryIndex).ToArray());
            CollectionAssert.AreEqual(expected[s][..2], bars[s].Items.Select(i => i.Value).ToArray());
        }
    }

    [TestMethod]
    public void ConfusionCellsAreRowSharesLabelledOnAUnitColourScale()
    {
        using var temp = new TempDirectory();
        SegmentationMetrics metrics = Metrics();
        PlotModel model = ReportCharts.ConfusionModel(metrics);
        Layout(model, temp);

        double[,] shares = ReportMath.RowNormalisedConfusion(metrics);
        HeatMapSeries heatmap = model.Series.OfType<HeatMapSeries>().Single();
        TextAnnotation[] labels = model.Annotations.OfType<TextAnnotation>().ToArray();
        Assert.HasCount(9, labels);
        for (int t = 0; t < 3; t++)
        {
            for (int p = 0; p < 3; p++)
            {
                Assert.AreEqual(shares[t, p], heatmap.Data[p, t], $"truth {t}, predicted {p}");
                TextAnnotation label = labels.Single(l => l.TextPosition.X == p && l.TextPosition.Y == t);
                Assert.AreEqual(shares[t, p].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), label.Text);
            }
        }

        Axis colour = model.Axes.OfType<LinearColorAxis>().Single();
        Assert.AreEqual(0.0, colour.ActualMinimum);
        Assert.AreEqual(1.0, colour.ActualMaximum);

        // Truth rows top to bottom: the first class is drawn above the last.
        Axis truth = AxisOf(model, "truth");
        Assert.IsLessThan(truth.Transform(2), truth.Transform(0));
    }

    [TestMethod]
    public void HistogramCountsAreWholeNumbersFromZero()
    {
        using var temp = new TempDirectory();
        double[] losses = [0.3, 2.5, 0.1, 1.7, 0.9, 0.35];
        PlotModel model = ReportCharts.HistogramModel(losses, "loss", unitRange: false, bins: 5);
        Layout(model, temp);

        (double[] _, double[] counts, double _) = ReportMath.Histogram(losses, 5);
        HistogramSeries series = model.Series.OfType<HistogramSeries>().Single();
        CollectionAssert.AreEqual(counts, series.Items.Select(i => Math.Round(i.Height, 12)).ToArray(), "bar heights are the counts");

        // At most two images a bin: a free axis would tick at halves; counts tick at whole numbers only.
        Axis images = AxisOf(model, "images");
        Assert.AreEqual(0.0, images.ActualMinimum);
        images.GetTickValues(out IList<double> majorLabels, out IList<double> _, out IList<double> minorTicks);
        Assert.IsNotEmpty(majorLabels);
        Assert.IsTrue(majorLabels.Concat(minorTicks).All(v => v == Math.Round(v)), string.Join(", ", majorLabels.Concat(minorTicks)));
        Assert.IsGreaterThanOrEqualTo(2.0, images.ActualMaximum);

        Axis value = AxisOf(model, "value");
        Assert.IsLessThanOrEqualTo(0.1, value.ActualMinimum);
        Assert.IsGreaterThanOrEqualTo(2.5, value.ActualMaximum);
    }

    [TestMethod]
    public void ErrorRateHistogramSpansZeroToOne()
    {
        using var temp = new TempDirectory();
        PlotModel model = ReportCharts.HistogramModel([0.2, 0.25, 0.4], "error rate", unitRange: true, bins: 4);
        Layout(model, temp);
        Axis value = AxisOf(model, "value");
        Assert.AreEqual(0.0, value.ActualMinimum);
        Assert.AreEqual(1.0, value.ActualMaximum);
    }
}
