using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="FocalLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class FocalLossOptions
{
    /// <summary>
    /// <see cref="Activation.Sigmoid"/>: every channel is its own binary problem (binary, multilabel, and smp's
    /// one-vs-rest multiclass focal loss); <see cref="Activation.Softmax"/>: one softmax over the channels (MONAI
    /// <c>use_softmax=True</c>, smp <c>softmax_focal_loss_with_logits</c>). The input is always logits.
    /// Default: <see cref="Activation.Sigmoid"/>.
    /// </summary>
    public Activation Activation { get; set; } = Activation.Sigmoid;

    /// <summary>Focusing exponent γ: the loss of a term is scaled by (1 − p_t)^γ. Default: 2; must be ≥ 0.</summary>
    public double Gamma { get; set; } = 2;

    /// <summary>
    /// Class balance α. Sigmoid: positives weigh α and negatives 1 − α. Softmax: class 0 weighs 1 − α and the other
    /// classes α (MONAI). <see langword="null"/> for no balancing. Default: <see langword="null"/>; range [0, 1].
    /// </summary>
    public double? Alpha { get; set; }

    /// <summary>A weight per channel (length C, or one shared). Default: <see langword="null"/>; each must be ≥ 0.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }

    /// <summary>Divide the summed loss by max(Σ focal factors, <see cref="NormalizationEpsilon"/>) (smp <c>normalized</c>). Default: <see langword="false"/>.</summary>
    public bool Normalized { get; set; }

    /// <summary>Smallest normaliser when <see cref="Normalized"/>. Default: 1e-6; must be &gt; 0.</summary>
    public double NormalizationEpsilon { get; set; } = 1e-6;

    /// <summary>
    /// Reduced focal loss (Sergievskiy and Ponamarev, 2019): terms with p_t below the threshold keep factor 1, the
    /// others get ((1 − p_t)/threshold)^γ. <see langword="null"/> for the plain focal loss. Default: <see langword="null"/>; range (0, 1].
    /// </summary>
    public double? ReducedThreshold { get; set; }

    /// <summary>How term losses are averaged. Default: <see cref="PointwiseAveraging.Valid"/>.</summary>
    public PointwiseAveraging Averaging { get; set; } = PointwiseAveraging.Valid;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the class weights are copied.</summary>
    /// <returns>New options with the same values.</returns>
    public FocalLossOptions Clone()
    {
        var copy = (FocalLossOptions)MemberwiseClone();
        copy.ClassWeights = ClassWeights is null ? null : [.. ClassWeights];
        return copy;
    }
}
