namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Soft Jaccard (IoU) loss: 1 − (Σpt + a) / max(Σp + Σt − Σpt + b, ε) per region, reduced over regions.
/// The Tversky loss with α = β = 1.
/// </summary>
/// <remarks>
/// MONAI <c>DiceLoss(jaccard=True)</c> writes (2Σpt + a′)/(2(Σp + Σt − Σpt) + b′): use a = a′/2, b = b′/2.
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class JaccardLoss : OverlapLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="JaccardLossOptions"/>.</param>
    /// <exception cref="System.ArgumentException">An option is out of range.</exception>
    public JaccardLoss(JaccardLossOptions? options = null)
        : base(options ?? new JaccardLossOptions(), 1, 1, scale: 1, gamma: 1, FocalTverskyForm.PowerOfMean)
    {
        SavedOptions = LossOptionsSnapshot.Copy(options ?? new JaccardLossOptions());
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal JaccardLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public override string Name => "jaccard";
}
