using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml eval --report</c>: the only place the CLI touches the reporting assembly, turning eval's records into the
/// report's.
/// </summary>
internal static class EvalReport
{
    /// <summary>One evaluated image, in CLI terms.</summary>
    public sealed record Record(string Name, string ImagePath, int Width, int Height, int[] Truth, int[] Predicted, double? Loss);

    public static string Write(string folder, SegmentationMetrics metrics, IReadOnlyList<Record> records)
    {
        SegmentationReportImage[] images = records
            .Select(r => new SegmentationReportImage(r.Name, r.Width, r.Height, r.Truth, r.Predicted, r.ImagePath, r.Loss))
            .ToArray();
        return SegmentationReport.Write(folder, new SegmentationReportData(metrics, images));
    }
}
