using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>Options of <see cref="HeadTrainer.Train"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class HeadTrainingOptions
{
    /// <summary>Classes K (2 or more). Default: <see langword="null"/>, the largest label in the training maps plus one, at least 2.</summary>
    public int? Classes { get; set; }

    /// <summary>The label of pixels that take no part in loss or metrics. Default: 255.</summary>
    public int? IgnoreIndex { get; set; } = 255;

    /// <summary>The head's layers. Default: <see cref="HeadArchitecture.Linear"/>.</summary>
    public HeadArchitecture Architecture { get; set; } = HeadArchitecture.Linear;

    /// <summary>Hidden width of an MLP head. Default: 256.</summary>
    public int HiddenChannels { get; set; } = 256;

    /// <summary>
    /// The loss, given logits <c>[1, K, H, W]</c> at the label map's size, one image at a time. Default:
    /// <see langword="null"/>, cross-entropy with the weights <see cref="ClassWeighting"/> chooses. Any loss, including
    /// <see cref="CombinedLoss"/>, may be given; class weights must then be set in that loss's own options
    /// (a <see cref="ClassWeighting"/> other than <see cref="Training.ClassWeighting.None"/> is rejected with a given loss,
    /// because losses are immutable and the trainer cannot inject weights into them).
    /// </summary>
    public ISegmentationLoss? Loss { get; set; }

    /// <summary>Class weights for the default cross-entropy. Default: <see cref="Training.ClassWeighting.None"/>.</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.None;

    /// <summary>The weights for <see cref="Training.ClassWeighting.Given"/>, one per class. Default: <see langword="null"/>.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>The optimiser. Default: Adam with β1 0.9, β2 0.999, ε 1e-8 and no weight decay.</summary>
    public HeadOptimizerOptions Optimizer { get; set; } = new();

    /// <summary>The base learning rate. Default: 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>The learning rate over the steps. Default: constant, no warm-up.</summary>
    public LearningRateSchedule Schedule { get; set; } = new();

    /// <summary>Passes over the training images. Default: 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>
    /// Images per optimiser step. Each image's loss is a mean over its pixels; the step's gradient is the mean of the
    /// images' gradients (each scaled by 1/images in the step; the last step of an epoch may hold fewer). Default: 8.
    /// </summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Seed of the initialisation, validation split, shuffling and flips: equal seeds give bit-identical heads. Default: 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Fraction of images held out (drawn by the seed) to measure mean IoU after each epoch; 0 for none, when every epoch
    /// counts as best and the last parameters are kept. Default: 0.1; range [0, 1).
    /// </summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>
    /// Stop after this many epochs without a better validation mean IoU; 0 never stops early. The parameters of the
    /// best epoch are returned either way. Default: 5.
    /// </summary>
    public int EarlyStoppingPatience { get; set; } = 5;

    /// <summary>
    /// Mirror each training image's features and labels left to right with probability ½. Flipping stride-s features
    /// only approximates the features of the flipped image (a CNN's features are not exactly mirror-equivariant, and
    /// the stride grid shifts by up to s − 1 pixels), which is usually harmless for a head. Default: <see langword="false"/>.
    /// </summary>
    public bool HorizontalFlip { get; set; }

    /// <summary>Called after each epoch. Default: <see langword="null"/>.</summary>
    public Action<HeadEpochReport>? Progress { get; set; }

    /// <summary>
    /// A copy whose later changes do not reach this instance (and the reverse): the class weights, the
    /// <see cref="Optimizer"/> and the <see cref="Schedule"/> are copied; the <see cref="Loss"/> and the
    /// <see cref="Progress"/> callback are shared (a loss is immutable once built).
    /// </summary>
    /// <returns>New options with the same values.</returns>
    public HeadTrainingOptions Clone()
    {
        var copy = (HeadTrainingOptions)MemberwiseClone();
        copy.ClassWeights = ClassWeights is null ? null : [.. ClassWeights];
        copy.Optimizer = Optimizer?.Clone()!;
        copy.Schedule = Schedule?.Clone()!;
        return copy;
    }
}
