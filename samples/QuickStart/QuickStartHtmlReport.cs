using Microsoft.ML;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;

namespace QuickStart;

/// <summary>
/// The HTML report of the test split (charts, confusion heatmap, worst images by cross-entropy). The only place the
/// sample touches the reporting assembly.
/// </summary>
public static class QuickStartHtmlReport
{
    /// <summary>Writes the report into <paramref name="folder"/>; returns the HTML file's path.</summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="scored">The scored test split (ImagePath, Mask, PredictedMask, CrossEntropy columns).</param>
    /// <param name="metrics">Its metrics.</param>
    /// <returns>The path of report.html.</returns>
    public static string Write(string folder, IDataView scored, SegmentationMetrics metrics)
        => SegmentationReport.Write(folder, SegmentationReportData.FromDataView(scored, metrics, lossColumnName: nameof(ImageLosses.CrossEntropy)),
            new SegmentationReportOptions { Title = "SegML QuickStart: linear head on frozen ResNet-18 features" });
}
