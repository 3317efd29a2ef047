using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Settings of <see cref="LovaszSoftmaxLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class LovaszSoftmaxLossOptions
{
    /// <summary>
    /// How the input becomes class probabilities: <see cref="Activation.Softmax"/> for logits over C ≥ 2 classes,
    /// <see cref="Activation.Sigmoid"/> for one binary logit channel, <see cref="Activation.None"/> for probabilities
    /// (which must lie in [0, 1]). Default: <see cref="Activation.Softmax"/>.
    /// </summary>
    public Activation Activation { get; set; } = Activation.Softmax;

    /// <summary>
    /// Whether absent classes count: <see cref="LovaszClassSelection.Present"/> averages only over classes that have
    /// a ground-truth pixel, <see cref="LovaszClassSelection.All"/> over every class of <see cref="ClassIndices"/>.
    /// Default: <see cref="LovaszClassSelection.Present"/>.
    /// </summary>
    public LovaszClassSelection ClassSelection { get; set; } = LovaszClassSelection.Present;

    /// <summary>
    /// The channels the loss averages over, each in [0, C) and listed once; <see langword="null"/> for all channels.
    /// The reference's explicit list <c>classes=[1, 2]</c> is this list with <see cref="ClassSelection"/> set to
    /// <see cref="LovaszClassSelection.All"/>. With one channel (a sigmoid model), channel 0 is the foreground, label 1.
    /// Default: <see langword="null"/>.
    /// </summary>
    public IReadOnlyList<int>? ClassIndices { get; set; } = null;

    /// <summary>
    /// Whether the loss is computed for each image and averaged over the batch (<see langword="true"/>), or once over
    /// all pixels of the batch (<see langword="false"/>, as the reference, smp and mmseg). An image whose pixels are all
    /// ignored, or that holds none of the classes, counts as 0 in the average. Default: <see langword="false"/>.
    /// </summary>
    public bool PerImage { get; set; } = false;

    /// <summary>
    /// One finite, non-negative weight per channel that multiplies that class's term before the (unweighted) mean
    /// over the kept classes, as mmseg's <c>class_weight</c>; <see langword="null"/> for all 1. Default: <see langword="null"/>.
    /// </summary>
    public IReadOnlyList<double>? ClassWeights { get; set; } = null;
}
