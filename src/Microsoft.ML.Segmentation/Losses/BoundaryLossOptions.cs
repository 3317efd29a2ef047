using System.Collections.Generic;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="BoundaryLoss"/> (Kervadec et al. 2019). The defaults take logits through a softmax, keep every
/// class but the background, use unit spacing and exact (untruncated) distances; <see cref="Peers.Kervadec.SurfaceLoss"/>
/// sets them as the paper's reference code runs.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class BoundaryLossOptions
{
    /// <summary>
    /// How the input becomes probabilities. Default: <see cref="Activation.Softmax"/> (multiclass logits); the reference
    /// takes softmax probabilities, that is <see cref="Activation.None"/> on probabilities.
    /// </summary>
    public Activation Activation { get; set; } = Activation.Softmax;

    /// <summary>
    /// The channels the loss sums over (the reference's <c>idc</c>). Default: <see langword="null"/>, every channel but 0
    /// (channel 0 when there is one channel); each index must lie in [0, C).
    /// </summary>
    public IReadOnlyList<int>? ClassIndices { get; set; }

    /// <summary>
    /// The distance between two rows and between two columns (the reference's <c>resolution</c>, <c>[y, x]</c>).
    /// Default: <see langword="null"/> for 1 and 1; two finite values &gt; 0 otherwise.
    /// </summary>
    public IReadOnlyList<double>? Spacing { get; set; }

    /// <summary>
    /// Truncate every distance toward 0, as the reference's data pipeline does by storing the maps as int32.
    /// Default: <see langword="false"/>.
    /// </summary>
    public bool TruncateDistances { get; set; }

    /// <summary>
    /// The map of a class that covers a whole image. Default: <see cref="FullMaskDistance.Zero"/>; the reference
    /// inherits <see cref="FullMaskDistance.ScipyVirtualOutside"/> from SciPy.
    /// </summary>
    public FullMaskDistance FullClass { get; set; } = FullMaskDistance.Zero;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the lists are copied.</summary>
    /// <returns>New options with the same values.</returns>
    public BoundaryLossOptions Clone()
    {
        var copy = (BoundaryLossOptions)MemberwiseClone();
        copy.ClassIndices = ClassIndices is null ? null : [.. ClassIndices];
        copy.Spacing = Spacing is null ? null : [.. Spacing];
        return copy;
    }
}
