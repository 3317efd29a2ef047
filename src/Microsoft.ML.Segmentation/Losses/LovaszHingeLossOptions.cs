namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Settings of <see cref="LovaszHingeLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class LovaszHingeLossOptions
{
    /// <summary>
    /// Whether the loss is computed for each image and averaged over the batch (<see langword="true"/>, as the reference
    /// <c>lovasz_hinge</c>), or once over all pixels of the batch (<see langword="false"/>, as smp's <c>LovaszLoss</c> and
    /// mmseg's default). An image whose pixels are all ignored counts as 0 in the average. Default: <see langword="true"/>.
    /// </summary>
    public bool PerImage { get; set; } = true;
}
