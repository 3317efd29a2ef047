namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="AsymmetricUnifiedFocalLoss"/>. The defaults are MONAI's <c>AsymmetricUnifiedFocalLoss()</c>:
/// probabilities as given, weight 0.5, γ = 0.5, δ = 0.7, ε = 1e-7. <see cref="Weight"/> = 1 is MONAI's
/// <c>AsymmetricFocalLoss</c> (its default γ is 2) and 0 its <c>AsymmetricFocalTverskyLoss</c> (default γ 0.75).
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class AsymmetricUnifiedFocalLossOptions
{
    /// <summary>
    /// How the input becomes probabilities: <see cref="Activation.None"/> (MONAI applies none) or
    /// <see cref="Activation.Softmax"/> over the two channels. Default: <see cref="Activation.None"/>.
    /// </summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>λ in <c>λ·asymmetric focal + (1 − λ)·asymmetric focal Tversky</c> (MONAI <c>weight</c>). Default: 0.5; in [0, 1].</summary>
    public double Weight { get; set; } = 0.5;

    /// <summary>
    /// The focal exponent γ of both parts (MONAI <c>gamma</c>): the background cross-entropy is scaled by (1 − p₀)^γ and
    /// the foreground Tversky term is (1 − TI)^(1 − γ). Default: 0.5; finite and ≥ 0.
    /// </summary>
    public double Gamma { get; set; } = 0.5;

    /// <summary>δ (MONAI <c>delta</c>): the foreground's share of the cross-entropy, and the Tversky weight of false negatives (1 − δ on false positives). Default: 0.7; in [0, 1].</summary>
    public double Delta { get; set; } = 0.7;

    /// <summary>Probabilities are clamped to [ε, 1 − ε], and ε smooths the Tversky index (MONAI <c>epsilon</c>). Default: 1e-7; in [0, 0.5).</summary>
    public double Epsilon { get; set; } = 1e-7;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>New options with the same values.</returns>
    public AsymmetricUnifiedFocalLossOptions Clone() => (AsymmetricUnifiedFocalLossOptions)MemberwiseClone();
}
