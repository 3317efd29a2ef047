namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// The sums of one calibration bin: how many predictions fell in it, the sum of their confidences and the sum of their
/// accuracies (1 for a correct prediction, 0 otherwise; or a soft target). Means follow from the sums.
/// </summary>
/// <param name="Count">Number of predictions in the bin.</param>
/// <param name="ConfidenceSum">Sum of their confidences.</param>
/// <param name="AccuracySum">Sum of their accuracies.</param>
public readonly record struct CalibrationBin(long Count, double ConfidenceSum, double AccuracySum)
{
    /// <summary>Whether no prediction fell in the bin.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The mean confidence; NaN for an empty bin.</summary>
    public double MeanConfidence => Count == 0 ? double.NaN : ConfidenceSum / Count;

    /// <summary>The mean accuracy (the observed frequency); NaN for an empty bin.</summary>
    public double Accuracy => Count == 0 ? double.NaN : AccuracySum / Count;

    /// <summary>|accuracy − confidence|; NaN for an empty bin.</summary>
    public double Gap => Count == 0 ? double.NaN : System.Math.Abs((AccuracySum - ConfidenceSum) / Count);

    /// <summary>The bin with another's sums added.</summary>
    /// <param name="other">The other bin.</param>
    /// <returns>The sum.</returns>
    public CalibrationBin Plus(CalibrationBin other) => new(Count + other.Count, ConfidenceSum + other.ConfidenceSum, AccuracySum + other.AccuracySum);
}
