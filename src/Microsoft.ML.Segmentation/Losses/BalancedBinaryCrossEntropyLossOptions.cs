namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="BalancedBinaryCrossEntropyLoss"/>. The defaults are mmseg's <c>BoundaryLoss</c> (PIDNet's
/// boundary head): the mean over every pixel of the batch, ignored pixels counted in the denominator.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class BalancedBinaryCrossEntropyLossOptions
{
    /// <summary>
    /// How the weighted pixel losses become one number: <see cref="PointwiseAveraging.All"/> (mmseg: divide by N·H·W),
    /// <see cref="PointwiseAveraging.Valid"/> (by the pixels labelled 0 or 1), <see cref="PointwiseAveraging.TargetWeight"/>
    /// (by the sum of the balancing weights) or <see cref="PointwiseAveraging.Sum"/>. Default: <see cref="PointwiseAveraging.All"/>.
    /// </summary>
    public PointwiseAveraging Averaging { get; set; } = PointwiseAveraging.All;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>New options with the same values.</returns>
    public BalancedBinaryCrossEntropyLossOptions Clone() => (BalancedBinaryCrossEntropyLossOptions)MemberwiseClone();
}
