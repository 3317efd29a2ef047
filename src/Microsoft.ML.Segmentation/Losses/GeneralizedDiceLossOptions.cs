using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="GeneralizedDiceLoss"/>. Defaults follow MONAI <c>GeneralizedDiceLoss</c>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class GeneralizedDiceLossOptions
{
    /// <summary>How the input becomes probabilities. Default: <see cref="Activation.Softmax"/>.</summary>
    public Activation Activation { get; set; } = Activation.Softmax;

    /// <summary>Class weighting. Default: <see cref="GeneralizedDiceWeighting.Square"/>.</summary>
    public GeneralizedDiceWeighting Weighting { get; set; } = GeneralizedDiceWeighting.Square;

    /// <summary>Added to the numerator 2Σ_c w_c·TP_c. Default: 1e-5; must be ≥ 0.</summary>
    public double SmoothNumerator { get; set; } = 1e-5;

    /// <summary>Added to the denominator Σ_c w_c(Σp + Σt). Default: 1e-5; must be ≥ 0.</summary>
    public double SmoothDenominator { get; set; } = 1e-5;

    /// <summary>One score per image, averaged; otherwise one score for the whole batch. Default: <see langword="true"/>.</summary>
    public bool PerImage { get; set; } = true;

    /// <summary>Keep channel 0. Default: <see langword="true"/>.</summary>
    public bool IncludeBackground { get; set; } = true;

    /// <summary>
    /// Use the soft-label intersection (Σp + Σt − Σ|p − t|) / 2 instead of Σp·t (MONAI ≥ 1.4 <c>soft_label=True</c>,
    /// <c>compute_tp_fp_fn</c> with ord 1). Identical for hard targets; for soft targets the loss is 0 when p = t. The
    /// denominator Σp + Σt is the same in both forms. Default: <see langword="false"/>.
    /// </summary>
    public bool SoftLabels { get; set; }

    /// <summary>Mean or sum over images. Default: <see cref="LossReduction.Mean"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;
}
