namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>How a calibration error reduces the per-bin gaps |accuracy − confidence| (see <see cref="CalibrationError"/>).</summary>
public enum CalibrationReduction
{
    /// <summary>Expected calibration error (ECE): Σ gap·count / Σ count (MONAI <c>expected</c>, torchmetrics <c>norm="l1"</c>).</summary>
    Expected = 0,

    /// <summary>Average calibration error (ACE): the mean gap over non-empty bins (MONAI <c>average</c>).</summary>
    Average = 1,

    /// <summary>Maximum calibration error (MCE): the largest gap of a non-empty bin (MONAI <c>maximum</c>, torchmetrics <c>norm="max"</c>).</summary>
    Maximum = 2,

    /// <summary>Root-mean-square calibration error: √(Σ gap²·count / Σ count) (torchmetrics <c>norm="l2"</c>).</summary>
    RootMeanSquare = 3,
}
