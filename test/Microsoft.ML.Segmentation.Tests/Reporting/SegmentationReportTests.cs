using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary><see cref="SegmentationReport.Write"/> on hand-made records: files, sizes, inlining, ranking, heatmap numbers.</summary>
[TestClass]
public sealed class SegmentationReportTests
{
    private static readonly string[] s_names = ["bg", "road", "car"];

    /// <summary>Random masks of several sizes; the prediction agrees with the truth with probability <c>1 − errorRate</c>.</summary>
    private static (SegmentationMetrics Metrics, SegmentationReportImage[] Images) Dataset(string folder, double?[] losses)
    {
        var random = new Random(7);
        var evaluator = new SegmentationEvaluator(s_names.Length, new SegmentationEvaluatorOptions { ClassNames = s_names, IgnoreIndex = 255 });
        var images = new SegmentationReportImage[losses.Length];
        for (int n = 0; n < losses.Length; n++)
        {
            int w = 10 + n, h = 6 + (2 * n);
            var truth = new int[w * h];
            var predicted = new int[w * h];
            double errorRate = 0.1 * (n + 1);
            for (int i = 0; i < truth.Length; i++)
            {
                truth[i] = random.Next(20) == 0 ? 255 : random.Next(s_names.Length);
                predicted[i] = random.NextDouble() < errorRate ? random.Next(s_names.Length) : Math.Min(truth[i], s_names.Length - 1);
            }

            string path = Path.Combine(folder, $"img{n}.png");
            using (var picture = new Image<Rgb24>(w + 3, h + 1, new Rgb24(10, 200, 30)))
            {
                picture.SaveAsPng(path);
            }

            evaluator.Add(predicted, truth, h, w);
            images[n] = new SegmentationReportImage($"img{n}", w, h, truth, predicted, path, losses[n]);
        }

        return (evaluator.GetMetrics(), images);
    }

    [TestMethod]
    public void WritesChartsAndWorstStripsAllInlined()
    {
        using var temp = new TempDirectory();
        double?[] losses = [0.3, 2.5, 0.1, 1.7, 0.9];
        (SegmentationMetrics metrics, SegmentationReportImage[] images) = Dataset(temp.Sub("data"), losses);
        var options = new SegmentationReportOptions { WorstCount = 3, ChartWidth = 640, ChartHeight = 360, MinimumPanelHeight = 40 };
        string folder = temp.Sub("report");

        string html = SegmentationReport.Write(folder, new SegmentationReportData(metrics, images), options);

        Assert.AreEqual(Path.Combine(folder, SegmentationReport.HtmlFileName), html);
        string[] charts = [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName, SegmentationReport.HistogramFileName];
        foreach (string chart in charts)
        {
            ReportFiles.AssertSvg(Path.Combine(folder, chart), 640, 360);
        }

        // Worst by loss: img1 (2.5), img3 (1.7), img4 (0.9).
        int[] expected = [1, 3, 4];
        for (int r = 0; r < expected.Length; r++)
        {
            SegmentationReportImage image = images[expected[r]];
            int scale = Math.Max(1, (40 + image.Height - 1) / image.Height);
            ReportFiles.AssertPng(Path.Combine(folder, SegmentationReport.WorstFileName(r + 1)), 4 * image.Width * scale, image.Height * scale);
        }

        Assert.IsFalse(File.Exists(Path.Combine(folder, SegmentationReport.WorstFileName(4))));
        ReportFiles.AssertInlines(folder, [.. charts, .. Enumerable.Range(1, 3).Select(SegmentationReport.WorstFileName)]);

        string page = File.ReadAllText(html);
        int[] positions = expected.Select(n => page.IndexOf($". img{n} (loss", StringComparison.Ordinal)).ToArray();
        Assert.IsTrue(positions.All(p => p > 0), "every worst image is titled");
        CollectionAssert.AreEqual(positions.Order().ToArray(), positions, "worst first");
        foreach (string name in s_names)
        {
            StringAssert.Contains(page, name);
        }
    }

    [TestMethod]
    public void WorstIsByLossWhenEveryImageHasOneElseByErrorRate()
    {
        using var temp = new TempDirectory();
        (SegmentationMetrics _, SegmentationReportImage[] withLoss) = Dataset(temp.Sub("a"), [0.5, 0.2, 3.0, 0.7]);
        CollectionAssert.AreEqual(new[] { "img2", "img3", "img0", "img1" }, ReportMath.Worst(withLoss, 3, 10).Select(x => x.Image.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 3.0, 0.7 }, ReportMath.Worst(withLoss, 3, 2).Select(x => x.Score).ToArray());

        // One loss missing: rank by error rate, which the dataset makes grow with the index.
        (SegmentationMetrics _, SegmentationReportImage[] partial) = Dataset(temp.Sub("b"), [9.0, null, 0.1, 0.2]);
        var ranked = ReportMath.Worst(partial, 3, 4);
        double[] rates = partial.Select(i => ReportMath.ErrorRate(i, 3)).ToArray();
        CollectionAssert.AreEqual(rates.OrderDescending().ToArray(), ranked.Select(x => x.Score).ToArray());
        Assert.AreEqual("img3", ranked[0].Image.Name);
    }

    [TestMethod]
    public void ErrorRateCountsOnlyClassPixels()
    {
        var image = new SegmentationReportImage("x", 4, 1, [0, 1, 255, 2], [0, 2, 1, 0]);
        Assert.AreEqual(2.0 / 3.0, ReportMath.ErrorRate(image, 3), 1e-12);
    }

    [TestMethod]
    public void HeatmapRowsAreRowNormalisedConfusionCounts()
    {
        using var temp = new TempDirectory();
        (SegmentationMetrics metrics, SegmentationReportImage[] _) = Dataset(temp.Path, [1.0, 2.0, 3.0]);
        double[,] shares = ReportMath.RowNormalisedConfusion(metrics);
        for (int t = 0; t < metrics.NumClasses; t++)
        {
            long sum = Enumerable.Range(0, metrics.NumClasses).Sum(p => metrics.GetConfusionCount(t, p));
            Assert.IsGreaterThan(0L, sum);
            double rowSum = 0;
            for (int p = 0; p < metrics.NumClasses; p++)
            {
                Assert.AreEqual((double)metrics.GetConfusionCount(t, p) / sum, shares[t, p], 1e-15);
                rowSum += shares[t, p];
            }

            Assert.AreEqual(1.0, rowSum, 1e-12);
        }
    }

    [TestMethod]
    public void HeatmapRowOfAnAbsentClassIsZero()
    {
        var evaluator = new SegmentationEvaluator(3);
        evaluator.Add([0, 0, 1, 1], [0, 1, 1, 0], 2, 2);
        double[,] shares = ReportMath.RowNormalisedConfusion(evaluator.GetMetrics());
        Assert.AreEqual(0.5, shares[0, 0]);
        Assert.AreEqual(0.5, shares[1, 0]);
        Assert.AreEqual(0.0, shares[2, 0] + shares[2, 1] + shares[2, 2]);
    }

    [TestMethod]
    public void HistogramCountsEveryValue()
    {
        (double[] centres, double[] counts, double width) = ReportMath.Histogram([0.0, 1.0, 0.5, 0.25, 1.0], 4);
        Assert.AreEqual(0.25, width, 1e-12);
        CollectionAssert.AreEqual(new[] { 0.125, 0.375, 0.625, 0.875 }, centres);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0, 2.0 }, counts);
    }
}
