using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>Options of <see cref="SegmentationEvaluator"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use. An evaluator keeps a reference to the options it was given.</remarks>
public sealed class SegmentationEvaluatorOptions
{
    /// <summary>Class names for tables and reports (length C); <see langword="null"/> for "0", "1", …. Default: <see langword="null"/>.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>Ground-truth label to skip (for example 255); <see langword="null"/> for none. Default: <see langword="null"/>.</summary>
    public int? IgnoreIndex { get; set; }

    /// <summary>
    /// How <see cref="SegmentationMetrics.MeanIoU"/> and <see cref="SegmentationMetrics.MeanDice"/> reduce over images
    /// and classes. Default: <see cref="MetricReduction.Macro"/> (counts summed over the dataset, then the mean over
    /// classes: mmseg's mIoU). Must give one value (not <see cref="MetricReduction.None"/> or a per-class/per-image reduction).
    /// </summary>
    public MetricReduction Reduction { get; set; } = MetricReduction.Macro;

    /// <summary>What an absent class yields in per-class values and means. Default: <see cref="AbsentClassPolicy.Skip"/> (NaN in the per-class lists, left out of means).</summary>
    public AbsentClassPolicy AbsentClass { get; set; } = AbsentClassPolicy.Skip;

    /// <summary>When a class counts as absent. Default: <see cref="AbsenceCriterion.ZeroDenominator"/>.</summary>
    public AbsenceCriterion Absence { get; set; } = AbsenceCriterion.ZeroDenominator;

    /// <summary>
    /// Boundary metrics per image and class, and their settings: Hausdorff distance at
    /// <see cref="BoundaryMetricOptions.Percentile"/> (null: the maximum), average surface distance (symmetric when
    /// <see cref="BoundaryMetricOptions.Symmetric"/>), normalised surface Dice at
    /// <see cref="BoundaryMetricOptions.SurfaceTolerance"/> and Boundary IoU with a band of
    /// <see cref="BoundaryMetricOptions.BoundaryWidth"/>; every setting is honoured as
    /// <see cref="Metrics.BoundaryMetrics"/> honours it (spacing and metric apply to the distances, not to Boundary IoU,
    /// which is in pixels). They cost a distance transform per class and image, so they are opt-in; images must be
    /// added with their height and width. Default: <see langword="null"/> (none). The common setting (HD95, ASSD,
    /// which <c>segml eval --boundary</c> uses) is <see cref="BoundaryMetricOptions.Hd95"/>.
    /// </summary>
    public BoundaryMetricOptions? BoundaryMetrics { get; set; }

    /// <summary>
    /// Calibration metrics (expected, average and maximum calibration error, top-label and per class) from the
    /// per-pixel class probabilities, and their settings; kept as per-bin sums, so they cost no memory per pixel.
    /// They need the scores: <see cref="SegmentationEvaluator.AddProbabilities"/> per image, or, in
    /// <c>SegmentationCatalog.Evaluate</c>, the <see cref="CalibrationOptions.ScoresColumnName"/> column. Default:
    /// <see langword="null"/> (none).
    /// </summary>
    public CalibrationOptions? Calibration { get; set; }

    /// <summary>
    /// What a row whose image or mask cannot be loaded or scored does (a corrupt or missing file, a tensor the model
    /// rejects). Default: <see cref="BadRowPolicy.FailFast"/>, so no image is ever left out unless asked; with
    /// <see cref="BadRowPolicy.SkipAndRecord"/> the row is listed in <see cref="SegmentationMetrics.SkippedImages"/>.
    /// </summary>
    public BadRowPolicy OnBadRow { get; set; } = BadRowPolicy.FailFast;

    /// <summary>A copy whose lists and <see cref="BoundaryMetrics"/> are copies too, so changing it leaves these options as they are.</summary>
    /// <returns>The copy.</returns>
    public SegmentationEvaluatorOptions Clone()
    {
        var copy = (SegmentationEvaluatorOptions)MemberwiseClone();
        copy.ClassNames = ClassNames is null ? null : [.. ClassNames];
        copy.BoundaryMetrics = BoundaryMetrics?.Clone();
        copy.Calibration = Calibration?.Clone();
        return copy;
    }
}
