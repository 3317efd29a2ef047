using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Cli;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary><see cref="SegmentationReportData.FromDataView"/> on a scored SegML pipeline.</summary>
[TestClass]
public sealed class FromDataViewTests
{
    private static readonly string[] s_classes = ["bg", "a", "b", "c"];

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void ReadsOneRecordPerRowWithItsLoss()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        Paths[] rows = new[] { "one", "two", "three" }.Select(n => new Paths { ImagePath = Path.Combine(data.Images, n + ".png"), MaskPath = Path.Combine(data.Masks, n + ".png") }).ToArray();
        var ml = new MLContext(seed: 1);
        IDataView input = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.LoadMasks(s_classes))
            .Append(ml.Segmentation().Transforms.ScoreOnnx(data.Model))
            .Append(ml.Segmentation().Transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss> { ["CrossEntropy"] = new CrossEntropyLoss() }))
            .Append(ml.Segmentation().Transforms.PredictMasks(s_classes))
            .Fit(input);
        IDataView scored = model.Transform(input);
        SegmentationMetrics metrics = ml.Segmentation().Evaluate(scored);

        SegmentationReportData report = SegmentationReportData.FromDataView(scored, metrics, lossColumnName: "CrossEntropy");

        float[] losses = scored.GetColumn<float>("CrossEntropy").ToArray();
        CollectionAssert.AreEqual(new[] { "one", "two", "three" }, report.Images.Select(i => i.Name).ToArray());
        CollectionAssert.AreEqual(losses.Select(l => (double?)l).ToArray(), report.Images.Select(i => i.Loss).ToArray());
        long counted = report.Images.Sum(i => i.Truth.Count(t => t >= 0));
        Assert.AreEqual(metrics.PixelCount, counted, "ignored pixels read as −1, the rest as classes");
        Assert.IsTrue(report.Images.All(i => i.Predicted.All(p => p >= 0 && p < s_classes.Length)));

        string[] byLoss = ReportMath.Worst(report.Images, s_classes.Length, 3).Select(x => x.Image.Name).ToArray();
        string[] expected = report.Images.OrderByDescending(i => i.Loss).Select(i => i.Name).ToArray();
        CollectionAssert.AreEqual(expected, byLoss);

        SegmentationReportData noLoss = SegmentationReportData.FromDataView(scored, metrics);
        Assert.IsFalse(ReportMath.RanksByLoss(noLoss.Images));
        Assert.ThrowsExactly<ArgumentException>(() => SegmentationReportData.FromDataView(scored, metrics, lossColumnName: "Missing"));

        string folder = data.Sub("report");
        SegmentationReport.Write(folder, report, new SegmentationReportOptions { WorstCount = 2 });
        ReportFiles.AssertInlines(folder, [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName, SegmentationReport.HistogramFileName, SegmentationReport.WorstFileName(1), SegmentationReport.WorstFileName(2)]);
        (model as IDisposable)?.Dispose();
    }
}
