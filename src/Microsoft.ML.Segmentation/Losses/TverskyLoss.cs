namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Tversky loss (Salehi et al., 2017) and focal Tversky loss (Abraham and Khan, 2019):
/// 1 − (TP + a) / max(TP + α·FP + β·FN + b, ε) per region, with the focusing exponent γ applied as
/// <see cref="TverskyLossOptions.GammaForm"/> says.
/// </summary>
/// <remarks>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several
/// threads at once, each call using its own scratch.</remarks>
public sealed class TverskyLoss : OverlapLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="TverskyLossOptions"/>.</param>
    /// <exception cref="System.ArgumentException">An option is out of range.</exception>
    public TverskyLoss(TverskyLossOptions? options = null)
        : base(options ??= new TverskyLossOptions(), options.Alpha, options.Beta, scale: 1, options.Gamma, options.GammaForm)
    {
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal TverskyLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public override string Name => "tversky";
}
