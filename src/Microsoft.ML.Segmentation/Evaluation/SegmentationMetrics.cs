using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// The result of evaluating predicted masks against ground truth: dataset summaries, per-class values and the
/// confusion matrix. Immutable.
/// </summary>
/// <remarks>
/// With TP, FP, FN counted per class over all evaluated pixels (ignored pixels excluded):
/// IoU = TP/(TP+FP+FN), Dice = 2TP/(2TP+FP+FN), precision = TP/(TP+FP), recall = TP/(TP+FN).
/// Pixel accuracy = ΣTP / counted pixels; mean accuracy = mean over classes of recall; frequency-weighted IoU =
/// Σ (support/total)·IoU. <see cref="MeanIoU"/> and <see cref="MeanDice"/> follow the evaluator's reduction
/// (Default: macro over dataset counts). A class that is absent reads NaN in the per-class lists and is left out
/// of means (the evaluator's absent-class policy can change both).
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed partial class SegmentationMetrics
{
    private readonly long[] _confusion;

    internal SegmentationMetrics(
        IReadOnlyList<string> classNames,
        int imageCount,
        long pixelCount,
        double pixelAccuracy,
        double meanAccuracy,
        double meanIoU,
        double meanDice,
        double frequencyWeightedIoU,
        IReadOnlyList<double> perClassIoU,
        IReadOnlyList<double> perClassDice,
        IReadOnlyList<double> perClassPrecision,
        IReadOnlyList<double> perClassRecall,
        IReadOnlyList<long> perClassSupport,
        long[] confusion,
        BoundaryResults? boundary = null,
        IReadOnlyList<SkippedImage>? skipped = null,
        CalibrationResults? calibration = null)
    {
        Calibration = calibration;
        SkippedImages = skipped ?? Array.Empty<SkippedImage>();
        Boundary = boundary;
        ClassNames = classNames;
        ImageCount = imageCount;
        PixelCount = pixelCount;
        PixelAccuracy = pixelAccuracy;
        MeanAccuracy = meanAccuracy;
        MeanIoU = meanIoU;
        MeanDice = meanDice;
        FrequencyWeightedIoU = frequencyWeightedIoU;
        PerClassIoU = perClassIoU;
        PerClassDice = perClassDice;
        PerClassPrecision = perClassPrecision;
        PerClassRecall = perClassRecall;
        PerClassSupport = perClassSupport;
        _confusion = confusion;
    }

    /// <summary>The class names, in class-index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>Number of images evaluated (skipped ones excluded: see <see cref="SkippedImages"/>).</summary>
    public int ImageCount { get; }

    /// <summary>
    /// The rows left out under <see cref="BadRowPolicy.SkipAndRecord"/>, with their reasons; empty when none was (and
    /// always under the default <see cref="BadRowPolicy.FailFast"/>).
    /// </summary>
    public IReadOnlyList<SkippedImage> SkippedImages { get; }

    /// <summary>Number of pixels counted (ignored pixels excluded).</summary>
    public long PixelCount { get; }

    /// <summary>Share of counted pixels predicted correctly (mmseg <c>aAcc</c>).</summary>
    public double PixelAccuracy { get; }

    /// <summary>Mean over classes of the per-class accuracy (recall) (mmseg <c>mAcc</c>).</summary>
    public double MeanAccuracy { get; }

    /// <summary>Mean intersection over union, reduced as the evaluator's options say.</summary>
    public double MeanIoU { get; }

    /// <summary>Mean Dice (F1), reduced as the evaluator's options say.</summary>
    public double MeanDice { get; }

    /// <summary>Frequency-weighted IoU: per-class IoU weighted by ground-truth support.</summary>
    public double FrequencyWeightedIoU { get; }

    /// <summary>IoU per class.</summary>
    public IReadOnlyList<double> PerClassIoU { get; }

    /// <summary>Dice per class.</summary>
    public IReadOnlyList<double> PerClassDice { get; }

    /// <summary>Precision per class.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall (per-class accuracy) per class.</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>Boundary metrics, when the evaluator was asked for them (<see cref="SegmentationEvaluatorOptions.BoundaryMetrics"/>); otherwise <see langword="null"/>.</summary>
    public BoundaryResults? Boundary { get; }

    /// <summary>Calibration metrics, when the evaluator was asked for them (<see cref="SegmentationEvaluatorOptions.Calibration"/>); otherwise <see langword="null"/>.</summary>
    public CalibrationResults? Calibration { get; }

    /// <summary>Ground-truth pixels per class.</summary>
    public IReadOnlyList<long> PerClassSupport { get; }

    /// <summary>The number of pixels of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="truth">Ground-truth class, in 0..C−1.</param>
    /// <param name="predicted">Predicted class, in 0..C−1.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A class is out of range.</exception>
    public long GetConfusionCount(int truth, int predicted)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)truth, (uint)NumClasses, nameof(truth));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)predicted, (uint)NumClasses, nameof(predicted));
        return _confusion[(truth * NumClasses) + predicted];
    }

    /// <summary>A copy of the confusion matrix, rows = truth, columns = prediction.</summary>
    /// <returns>A new C×C array.</returns>
    public long[,] GetConfusionMatrix()
    {
        var result = new long[NumClasses, NumClasses];
        for (int t = 0; t < NumClasses; t++)
        {
            for (int p = 0; p < NumClasses; p++)
            {
                result[t, p] = _confusion[(t * NumClasses) + p];
            }
        }

        return result;
    }
}
