namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// How per-(image, class) scores are combined. The first seven members follow segmentation_models.pytorch
/// (<c>smp.metrics</c>); the others name the averaging orders of MONAI and torchmetrics.
/// </summary>
/// <remarks>
/// "Counts summed" means TP/FP/FN/TN are added before the formula is applied; "scores averaged" means the formula is
/// applied first and the results are averaged. Scores skipped under <see cref="AbsentClassPolicy.Skip"/> are left out of
/// every average; an average with nothing to average yields <see cref="MetricOptions.EmptyAverageValue"/>.
/// Class weights are <see cref="MetricOptions.ClassWeights"/>, or by default the ground-truth support of each class
/// (frequency weighting).
/// </remarks>
public enum MetricReduction
{
    /// <summary>No reduction: one score per (image, class), N·C values in image-major order (smp <c>None</c>).</summary>
    None = 0,

    /// <summary>Counts summed over images and classes, then one score (smp <c>'micro'</c>).</summary>
    Micro = 1,

    /// <summary>Counts summed over images, one score per class, then the plain mean over classes (smp <c>'macro'</c>, mmseg <c>mIoU</c>).</summary>
    Macro = 2,

    /// <summary>Counts summed over images, one score per class, then the class-weighted mean (smp <c>'weighted'</c>; with support weights, frequency-weighted IoU).</summary>
    Weighted = 3,

    /// <summary>Counts summed over the classes of each image, one score per image, then the mean over images (smp <c>'micro-imagewise'</c>).</summary>
    MicroImagewise = 4,

    /// <summary>One score per (image, class), averaged over images per class, then the plain mean over classes (smp <c>'macro-imagewise'</c>).</summary>
    MacroImagewise = 5,

    /// <summary>One score per (image, class), averaged over images per class, then the class-weighted mean (smp <c>'weighted-imagewise'</c>).</summary>
    WeightedImagewise = 6,

    /// <summary>Counts summed over images, one score per class: C values (mmseg per-class tables, torchmetrics <c>average=None</c>).</summary>
    PerClass = 7,

    /// <summary>One score per (image, class), averaged over images per class: C values (MONAI <c>mean_batch</c>).</summary>
    PerClassImagewise = 8,

    /// <summary>One score per (image, class), averaged over the classes of each image: N values (MONAI <c>mean_channel</c>).</summary>
    PerImage = 9,

    /// <summary>One score per (image, class), the plain mean over classes per image, then the mean over images (MONAI <c>mean</c>, torchmetrics samplewise <c>macro</c>).</summary>
    MacroPerImage = 10,

    /// <summary>One score per (image, class), the class-weighted mean per image (default weights: that image's support), then the mean over images (torchmetrics samplewise <c>weighted</c>).</summary>
    WeightedPerImage = 11,

    /// <summary>The mean of all (image, class) scores together (torchmetrics <c>MeanIoU</c>).</summary>
    PooledImagewise = 12,
}
