using System.Runtime.CompilerServices;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Reporting;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml eval --report</c>: the only place the CLI touches the reporting assembly. Kept apart, and never inlined,
/// so that the reporting assembly (and ScottPlot's SkiaSharp 3) loads only when a report is asked for; hosts that
/// run eval without it, like the main test project beside ML.NET's SkiaSharp 2, never load it.
/// </summary>
internal static class EvalReport
{
    /// <summary>One evaluated image, in CLI terms.</summary>
    public sealed record Record(string Name, string ImagePath, int Width, int Height, int[] Truth, int[] Predicted, double? Loss);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Write(string folder, SegmentationMetrics metrics, IReadOnlyList<Record> records)
    {
        SegmentationReportImage[] images = records
            .Select(r => new SegmentationReportImage(r.Name, r.Width, r.Height, r.Truth, r.Predicted, r.ImagePath, r.Loss))
            .ToArray();
        return SegmentationReport.Write(folder, new SegmentationReportData(metrics, images));
    }
}
