using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>
/// Writes an evaluation report: <c>report.html</c>, one self-contained page with every picture inlined, and the same
/// pictures beside it: the charts as SVG (OxyPlot's managed exporter, no native library, so a report can be written in
/// the same process as an ONNX export), the worst images' strips as PNG.
/// </summary>
/// <example>
/// <code>
/// SegmentationMetrics metrics = mlContext.Segmentation().Evaluate(scored);
/// var data = SegmentationReportData.FromDataView(scored, metrics, lossColumnName: "CrossEntropy");
/// string html = SegmentationReport.Write("report", data);
/// </code>
/// </example>
public static class SegmentationReport
{
    /// <summary>The page's file name.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>The per-class IoU and Dice chart's file name.</summary>
    public const string PerClassChartFileName = "per-class.svg";

    /// <summary>The confusion heatmap's file name.</summary>
    public const string ConfusionChartFileName = "confusion.svg";

    /// <summary>
    /// The reliability diagram's file name; written only when the metrics hold calibration
    /// (<see cref="Evaluation.SegmentationEvaluatorOptions.Calibration"/>, <c>segml eval --calibration</c>).
    /// </summary>
    public const string ReliabilityChartFileName = "reliability.svg";

    /// <summary>The per-image loss (or error rate) histogram's file name.</summary>
    public const string HistogramFileName = "per-image.svg";

    /// <summary>Writes the report into <paramref name="folder"/>, creating it if needed; files of the same names are replaced.</summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="data">The metrics and per-image records.</param>
    /// <param name="options">What to show; <see langword="null"/> for the defaults.</param>
    /// <returns>The path of the HTML file.</returns>
    public static string Write(string folder, SegmentationReportData data, SegmentationReportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SegmentationReportOptions();
        Directory.CreateDirectory(folder);
        int classes = data.Metrics.NumClasses;

        ReportCharts.PerClassBars(data.Metrics, Path.Combine(folder, PerClassChartFileName), options);
        ReportCharts.ConfusionHeatmap(data.Metrics, Path.Combine(folder, ConfusionChartFileName), options);

        string? reliability = null;
        if (data.Metrics.Calibration is { } calibration)
        {
            ReportCharts.Reliability(calibration, Path.Combine(folder, ReliabilityChartFileName), options);
            reliability = ReliabilityChartFileName;
        }
        else
        {
            // A report written into a folder that held a calibrated one must not leave its diagram beside this page.
            File.Delete(Path.Combine(folder, ReliabilityChartFileName));
        }

        bool byLoss = ReportMath.RanksByLoss(data.Images);
        string what = byLoss ? "loss" : "error rate";
        string? histogram = null;
        if (data.Images.Count > 0)
        {
            double[] values = data.Images.Select(i => byLoss ? i.Loss!.Value : ReportMath.ErrorRate(i, classes)).ToArray();
            ReportCharts.Histogram(values, what, unitRange: !byLoss, Path.Combine(folder, HistogramFileName), options);
            histogram = HistogramFileName;
        }

        var worst = new List<(string File, SegmentationReportImage Image, double Score)>();
        IReadOnlyList<(SegmentationReportImage Image, double Score)> ranked = ReportMath.Worst(data.Images, classes, options.WorstCount);
        for (int r = 0; r < ranked.Count; r++)
        {
            string file = WorstFileName(r + 1);
            ReportPanels.Write(ranked[r].Image, classes, Path.Combine(folder, file), options.MinimumPanelHeight);
            worst.Add((file, ranked[r].Image, ranked[r].Score));
        }

        string html = Path.Combine(folder, HtmlFileName);
        File.WriteAllText(html, ReportHtml.Build(folder, data, options, reliability, histogram, what, worst));
        return html;
    }

    /// <summary>The file name of the strip of the <paramref name="rank"/>-th worst image (1 = worst).</summary>
    /// <param name="rank">The rank, from 1.</param>
    /// <returns>The file name.</returns>
    public static string WorstFileName(int rank) => string.Create(CultureInfo.InvariantCulture, $"worst-{rank:00}.png");
}
