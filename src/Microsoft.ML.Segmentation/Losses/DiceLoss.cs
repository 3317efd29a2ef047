namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Soft Dice loss: 1 − (2·Σpt + a) / max(Σp + Σt + b, ε) per region (or −log of the score), reduced over regions.
/// </summary>
/// <remarks>
/// <para>Regions are (image, class) with <see cref="OverlapLossOptions.PerImage"/>, else classes pooled over the batch.
/// To reproduce MONAI <c>DiceLoss</c>: <c>PerImage = true</c>, <c>SmoothNumerator = SmoothDenominator = 1e-5</c>,
/// <c>EmptyTarget = Compute</c>, <c>WeightNormalization = Count</c>. smp <c>DiceLoss(smooth=s, eps=e)</c>:
/// <c>SmoothNumerator = SmoothDenominator = 2s</c>, <c>Epsilon = 2e</c>, <c>SoftLabels = true</c>.</para>
/// <para>The gradient is exact (the ε clamp is treated as a constant where it binds).</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class DiceLoss : OverlapLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="DiceLossOptions"/>.</param>
    /// <exception cref="System.ArgumentException">An option is out of range.</exception>
    public DiceLoss(DiceLossOptions? options = null)
        : base(options ?? new DiceLossOptions(), 0.5, 0.5, scale: 2, gamma: 1, FocalTverskyForm.PowerOfMean)
    {
        SavedOptions = LossOptionsSnapshot.Copy(options ?? new DiceLossOptions());
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal DiceLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public override string Name => "dice";
}
