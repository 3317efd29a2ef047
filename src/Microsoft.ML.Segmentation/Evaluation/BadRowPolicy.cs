namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>What evaluation does with a row whose image or mask cannot be loaded or scored.</summary>
public enum BadRowPolicy
{
    /// <summary>Stop at the first bad row and throw its exception (which names the file).</summary>
    FailFast = 0,

    /// <summary>Leave the row out of the metrics and list it, with the reason, in <see cref="SegmentationMetrics.SkippedImages"/>.</summary>
    SkipAndRecord = 1,
}
