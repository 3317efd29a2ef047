using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Export;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Cli;
using Microsoft.ML.Segmentation.Tests.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary>
/// The report and the ONNX export in one process: the export runs ML.NET's ImageAnalytics (SkiaSharp 2.88), the
/// report its OxyPlot charts; an application that exports a model and reports on it is one application.
/// </summary>
[TestClass]
public sealed class ReportWithExportInOneProcessTests
{
    private const int W = 8, H = 6;

    public sealed class PathRow
    {
        public string ImagePath { get; set; } = string.Empty;
    }

    [TestMethod]
    public void ExportsThenReportsOnTheExportedMasks()
    {
        // Images at the export size, so the export does not resample and its masks are the model's own argmax.
        string[] names = ["one", "two", "three"];
        using var data = new GeneratedDataset(names.Select(n => (n, W, H)).ToArray());
        string[] paths = names.Select(n => Path.Combine(data.Images, n + ".png")).ToArray();
        var ml = new MLContext(seed: 1);
        SegmentationExport export = ml.Segmentation().ExportToOnnxPipeline(File.ReadAllBytes(data.Model), new SegmentationExportOptions { Width = W, Height = H });
        IDataView input = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        ITransformer fitted = export.Pipeline.Fit(input);
        long[][] masks = fitted.Transform(input).GetColumn<VBuffer<long>>(export.OutputColumnNames[0]).Select(m => m.DenseValues().ToArray()).ToArray();
        (fitted as IDisposable)?.Dispose();
        Assert.HasCount(names.Length, masks);

        // The report of those masks against the truth, with metrics computed here.
        var evaluator = new SegmentationEvaluator(TestModels.Classes, new SegmentationEvaluatorOptions { IgnoreIndex = 255 });
        var images = new SegmentationReportImage[names.Length];
        for (int n = 0; n < names.Length; n++)
        {
            Assert.HasCount(W * H, masks[n], names[n]);
            int[] predicted = masks[n].Select(v => (int)v).ToArray();
            Assert.IsTrue(predicted.All(p => p >= 0 && p < TestModels.Classes), names[n]);
            int[] truth = ReadMask(Path.Combine(data.Masks, names[n] + ".png"));
            evaluator.Add(predicted, truth, H, W);
            images[n] = new SegmentationReportImage(names[n], W, H, truth, predicted, paths[n]);
        }

        string folder = data.Sub("report");
        var options = new SegmentationReportOptions { WorstCount = 2 };
        string html = SegmentationReport.Write(folder, new SegmentationReportData(evaluator.GetMetrics(), images), options);

        string[] charts = [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName, SegmentationReport.HistogramFileName];
        foreach (string chart in charts)
        {
            ReportFiles.AssertSvg(Path.Combine(folder, chart), options.ChartWidth, options.ChartHeight);
        }

        ReportFiles.AssertInlines(folder, [.. charts, SegmentationReport.WorstFileName(1), SegmentationReport.WorstFileName(2)]);
        StringAssert.Contains(File.ReadAllText(html), "by error rate");

        // Both libraries ran here: ImageAnalytics on SkiaSharp 2.x, the charts on OxyPlot, and no second SkiaSharp.
        AppDomain domain = AppDomain.CurrentDomain;
        Version[] skia = domain.GetAssemblies().Where(a => a.GetName().Name == "SkiaSharp").Select(a => a.GetName().Version!).ToArray();
        Assert.HasCount(1, skia, "one SkiaSharp in the process");
        Assert.AreEqual(2, skia[0].Major, "ImageAnalytics' SkiaSharp 2.x");
        Assert.IsTrue(domain.GetAssemblies().Any(a => a.GetName().Name == "OxyPlot"), "the report's OxyPlot");
    }

    /// <summary>The index mask as labels, row-major (255 stays the ignore value).</summary>
    private static int[] ReadMask(string path)
    {
        using Image<L8> mask = Image.Load<L8>(path);
        var labels = new int[mask.Width * mask.Height];
        for (int y = 0; y < mask.Height; y++)
        {
            for (int x = 0; x < mask.Width; x++)
            {
                labels[(y * mask.Width) + x] = mask[x, y].PackedValue;
            }
        }

        return labels;
    }
}
