namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>When a class counts as absent from an image (or dataset), so that <see cref="AbsentClassPolicy"/> decides its score.</summary>
public enum AbsenceCriterion
{
    /// <summary>Absent when the metric's denominator is 0 (the score is undefined).</summary>
    ZeroDenominator = 0,

    /// <summary>
    /// Absent when the class has no ground-truth pixel (TP + FN = 0), even when it was predicted: MONAI's
    /// <c>ignore_empty=True</c> for Dice and IoU.
    /// </summary>
    EmptyTruth = 1,

    /// <summary>
    /// Absent when the class is neither in the ground truth nor in the prediction (TP + FP + FN = 0): torchmetrics'
    /// classification macro averages. Other zero denominators yield <see cref="MetricOptions.ZeroDivisionValue"/>.
    /// </summary>
    EmptyTruthAndPrediction = 2,
}
