using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="BinaryCrossEntropyLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class BinaryCrossEntropyLossOptions
{
    /// <summary>Weight of positive targets per channel (length C, or 1 to share): PyTorch's <c>pos_weight</c>, &gt; 1 raises recall. Default: <see langword="null"/> (1); each must be ≥ 0.</summary>
    public IReadOnlyList<double>? PositiveWeights { get; set; }

    /// <summary>A weight per channel (length C, or 1 to share) multiplying every element's loss. Default: <see langword="null"/> (1); each must be ≥ 0.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>Label smoothing ε: targets become t(1 − ε) + (1 − t)ε (smp <c>SoftBCEWithLogitsLoss(smooth_factor)</c>). Default: 0; range [0, 1].</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>How element losses are averaged. Default: <see cref="PointwiseAveraging.Valid"/>.</summary>
    public PointwiseAveraging Averaging { get; set; } = PointwiseAveraging.Valid;
}
