using Microsoft.ML.Segmentation.Evaluation;

namespace QuickStart;

/// <summary>What an evaluation of the committed head on the test split gives.</summary>
public sealed record QuickStartResult(SegmentationMetrics Metrics, IReadOnlyList<ImageLosses> Images, TimeSpan Elapsed);
