using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Settings shared by <see cref="DiceLoss"/>, <see cref="JaccardLoss"/> and <see cref="TverskyLoss"/>.
/// The defaults follow segmentation_models.pytorch (smp): no smoothing, statistics pooled over the batch,
/// and a class with an empty target contributes 0.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public abstract class OverlapLossOptions
{
    private protected OverlapLossOptions()
    {
    }

    /// <summary>How the input becomes probabilities. Default: <see cref="Activation.Softmax"/> (multiclass logits); use <see cref="Activation.Sigmoid"/> for binary or multilabel logits and <see cref="Activation.None"/> for probabilities.</summary>
    public Activation Activation { get; set; } = Activation.Softmax;

    /// <summary>Added to the score's numerator, in the loss's own formula (see the loss). Default: 0; must be ≥ 0.</summary>
    public double SmoothNumerator { get; set; }

    /// <summary>Added to the score's denominator, in the loss's own formula. Default: 0; must be ≥ 0.</summary>
    public double SmoothDenominator { get; set; }

    /// <summary>The denominator (and, with <see cref="LogLoss"/>, the score) is clamped to at least this value, so an empty region never divides by zero; 0 turns the clamp off (MONAI). Default: 1e-7; must be ≥ 0.</summary>
    public double Epsilon { get; set; } = 1e-7;

    /// <summary>Sums in the denominator. Default: <see cref="OverlapDenominator.Linear"/>.</summary>
    public OverlapDenominator Denominator { get; set; } = OverlapDenominator.Linear;

    /// <summary>
    /// Use the soft-label intersection (Σp + Σt − Σ|p − t|) / 2 instead of Σp·t (smp ≥ 0.4, MONAI <c>soft_label</c>).
    /// Identical for hard targets; for soft targets it makes the loss 0 exactly when p = t. Linear denominator only.
    /// Default: <see langword="false"/>.
    /// </summary>
    public bool SoftLabels { get; set; }

    /// <summary>One score per image and class, averaged (MONAI <c>batch=False</c>); otherwise the statistics are pooled over the batch first (smp). Default: <see langword="false"/>.</summary>
    public bool PerImage { get; set; }

    /// <summary>Pool the kept classes into one region (mmseg 1.x <c>DiceLoss</c> flattens all channels of an image). Default: <see langword="false"/>.</summary>
    public bool PoolClasses { get; set; }

    /// <summary>Keep channel 0. Default: <see langword="true"/>.</summary>
    public bool IncludeBackground { get; set; } = true;

    /// <summary>
    /// The channels that enter the loss, each in [0, C); <see langword="null"/> for all. Default: <see langword="null"/>.
    /// (Named as <see cref="LovaszSoftmaxLossOptions.ClassIndices"/>: a subset of channels is <c>ClassIndices</c> in
    /// every SegML options class; <c>Classes</c> elsewhere is a class count.)
    /// </summary>
    public IReadOnlyList<int>? ClassIndices { get; set; }

    /// <summary>A weight per channel (length C) for the mean over regions; <see langword="null"/> for equal weights. Default: <see langword="null"/>; each must be ≥ 0.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>How <see cref="ClassWeights"/> are normalised. Default: <see cref="ClassWeightNormalization.SumOfWeights"/>.</summary>
    public ClassWeightNormalization WeightNormalization { get; set; } = ClassWeightNormalization.SumOfWeights;

    /// <summary>What a region with an empty target contributes. Default: <see cref="EmptyTargetPolicy.ZeroLoss"/>.</summary>
    public EmptyTargetPolicy EmptyTarget { get; set; } = EmptyTargetPolicy.ZeroLoss;

    /// <summary>Use −log(max(score, ε)) instead of 1 − score. Default: <see langword="false"/>.</summary>
    public bool LogLoss { get; set; }

    /// <summary>Mean or sum over regions. Default: <see cref="LossReduction.Mean"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;
}
