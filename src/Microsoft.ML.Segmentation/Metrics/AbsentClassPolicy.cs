namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// What a score yields when its class is absent (see <see cref="AbsenceCriterion"/>; by default: its denominator is 0,
/// for example IoU of a class that is neither in the ground truth nor in the prediction).
/// </summary>
public enum AbsentClassPolicy
{
    /// <summary>The score is left out of every mean and reported as <see cref="MetricOptions.SkippedValue"/> (mmseg, MONAI, torchmetrics <c>nanmean</c>).</summary>
    Skip = 0,

    /// <summary>The score is NaN and NaN propagates into every mean that includes it.</summary>
    NaN = 1,

    /// <summary>The score is 0 and counts in means (torchmetrics <c>zero_division=0</c>, smp <c>zero_division=0</c>).</summary>
    Zero = 2,

    /// <summary>The score is 1 and counts in means (smp's default <c>zero_division=1</c>; MONAI Dice with <c>ignore_empty=False</c>).</summary>
    One = 3,
}
