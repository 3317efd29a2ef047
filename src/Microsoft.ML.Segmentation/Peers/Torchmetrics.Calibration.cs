using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <content>torchmetrics' calibration error (<c>classification.calibration_error</c>, torchmetrics master @ dab0333).</content>
public static partial class Torchmetrics
{
    /// <summary>
    /// torchmetrics <c>BinaryCalibrationError</c> / <c>binary_calibration_error</c>: the scores are the positive class's
    /// probabilities (a sigmoid is applied when any lies outside [0, 1]) and the targets 0 or 1; see <see cref="TorchmetricsCalibrationError"/>.
    /// </summary>
    /// <param name="nBins">torchmetrics <c>n_bins</c>; at least 1. Default: 15.</param>
    /// <param name="norm">torchmetrics <c>norm</c>: "l1", "l2" or "max". Default: "l1".</param>
    /// <param name="ignoreIndex">torchmetrics <c>ignore_index</c>. Default: null.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown norm, or nBins &lt; 1.</exception>
    public static TorchmetricsCalibrationError BinaryCalibrationError(int nBins = 15, string norm = "l1", int? ignoreIndex = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nBins, 1);
        return new TorchmetricsCalibrationError("BinaryCalibrationError", null, nBins, CalibrationNorm(norm), ignoreIndex);
    }

    /// <summary>
    /// torchmetrics <c>MulticlassCalibrationError</c> / <c>multiclass_calibration_error</c>: top-label calibration of
    /// scores [N, C, …] (a softmax over C is applied when any lies outside [0, 1]) against class indices; see
    /// <see cref="TorchmetricsCalibrationError"/>.
    /// </summary>
    /// <param name="numClasses">torchmetrics <c>num_classes</c>; at least 2.</param>
    /// <param name="nBins">torchmetrics <c>n_bins</c>; at least 1. Default: 15.</param>
    /// <param name="norm">torchmetrics <c>norm</c>: "l1", "l2" or "max". Default: "l1".</param>
    /// <param name="ignoreIndex">torchmetrics <c>ignore_index</c>. Default: null.</param>
    /// <returns>The metric.</returns>
    /// <exception cref="ArgumentException">An unknown norm, numClasses &lt; 2 or nBins &lt; 1.</exception>
    public static TorchmetricsCalibrationError MulticlassCalibrationError(int numClasses, int nBins = 15, string norm = "l1", int? ignoreIndex = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(nBins, 1);
        return new TorchmetricsCalibrationError("MulticlassCalibrationError", numClasses, nBins, CalibrationNorm(norm), ignoreIndex);
    }

    private static CalibrationReduction CalibrationNorm(string norm) => PeerArguments.Choose(norm, nameof(norm), new Dictionary<string, CalibrationReduction>(StringComparer.Ordinal)
    {
        ["l1"] = CalibrationReduction.Expected,
        ["l2"] = CalibrationReduction.RootMeanSquare,
        ["max"] = CalibrationReduction.Maximum,
    });
}
