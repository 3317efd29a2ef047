using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Calibration of the evaluated scores over the whole dataset (every counted pixel, ignored ones excluded). Top-label:
/// each pixel's largest class probability against whether that class is right (torchmetrics' multiclass form). Per
/// class: each class's probability against whether the pixel is of that class (MONAI's channel-wise form, pooled over
/// the dataset rather than per image). Immutable.
/// </summary>
public sealed class CalibrationResults
{
    internal CalibrationResults(int bins, CalibrationReduction reduction, CalibrationBin[] topLabel, IReadOnlyList<double> perClass)
    {
        Bins = bins;
        Reduction = reduction;
        TopLabelBins = topLabel;
        Error = CalibrationError.Compute(topLabel, reduction);
        ExpectedCalibrationError = CalibrationError.Compute(topLabel, CalibrationReduction.Expected);
        AverageCalibrationError = CalibrationError.Compute(topLabel, CalibrationReduction.Average);
        MaximumCalibrationError = CalibrationError.Compute(topLabel, CalibrationReduction.Maximum);
        PerClassError = perClass;
    }

    /// <summary>The number of bins.</summary>
    public int Bins { get; }

    /// <summary>The reduction of <see cref="Error"/> and <see cref="PerClassError"/>.</summary>
    public CalibrationReduction Reduction { get; }

    /// <summary>The top-label calibration error with <see cref="Reduction"/>; NaN when no pixel was counted.</summary>
    public double Error { get; }

    /// <summary>The top-label expected calibration error (ECE).</summary>
    public double ExpectedCalibrationError { get; }

    /// <summary>The top-label average calibration error over non-empty bins (ACE).</summary>
    public double AverageCalibrationError { get; }

    /// <summary>The top-label maximum calibration error over non-empty bins (MCE).</summary>
    public double MaximumCalibrationError { get; }

    /// <summary>The class-wise calibration error of each class with <see cref="Reduction"/>.</summary>
    public IReadOnlyList<double> PerClassError { get; }

    /// <summary>The top-label bins (count, confidence sum, accuracy sum): the data of a reliability diagram.</summary>
    public IReadOnlyList<CalibrationBin> TopLabelBins { get; }
}
