using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="CrossEntropyLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class CrossEntropyLossOptions
{
    /// <summary>A weight per class (length C), multiplying the loss of pixels of that class; <see langword="null"/> for none. Default: <see langword="null"/>; each must be ≥ 0.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>Label smoothing ε: the target becomes (1 − ε)·onehot + ε/C. Default: 0; range [0, 1].</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>How pixel losses are averaged. Default: <see cref="PointwiseAveraging.TargetWeight"/> (PyTorch's <c>CrossEntropyLoss</c>).</summary>
    public PointwiseAveraging Averaging { get; set; } = PointwiseAveraging.TargetWeight;
}
