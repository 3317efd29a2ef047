using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="GeneralizedWassersteinDiceLoss"/>. The defaults are MONAI's
/// <c>GeneralizedWassersteinDiceLoss(dist_matrix)</c>: softmax of logits, <c>weighting_mode="default"</c>, mean over the
/// images, smoothing 1e-5 in numerator and denominator. <see cref="DistanceMatrix"/> must be set.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class GeneralizedWassersteinDiceLossOptions
{
    /// <summary>
    /// The C×C distance between classes, row = true class, column = predicted class (MONAI <c>dist_matrix</c>): finite,
    /// ≥ 0, not all zero, usually 0 on the diagonal. It is divided by its largest entry, as MONAI does. Required.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>>? DistanceMatrix { get; set; }

    /// <summary>The weighting of the true-positive term (MONAI <c>weighting_mode</c>). Default: <see cref="WassersteinDiceWeighting.Default"/>.</summary>
    public WassersteinDiceWeighting Weighting { get; set; } = WassersteinDiceWeighting.Default;

    /// <summary>
    /// How the input becomes probabilities: <see cref="Activation.Softmax"/> (MONAI always applies it) or
    /// <see cref="Activation.None"/> for probabilities. Default: <see cref="Activation.Softmax"/>.
    /// </summary>
    public Activation Activation { get; set; } = Activation.Softmax;

    /// <summary>Mean or sum over the images (MONAI <c>reduction</c>). Default: <see cref="LossReduction.Mean"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>Added to the numerator (MONAI <c>smooth_nr</c>). Default: 1e-5; finite and ≥ 0.</summary>
    public double SmoothNumerator { get; set; } = 1e-5;

    /// <summary>Added to the denominator (MONAI <c>smooth_dr</c>). Default: 1e-5; finite and ≥ 0.</summary>
    public double SmoothDenominator { get; set; } = 1e-5;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the distance matrix is copied row by row.</summary>
    /// <returns>New options with the same values.</returns>
    public GeneralizedWassersteinDiceLossOptions Clone()
    {
        var copy = (GeneralizedWassersteinDiceLossOptions)MemberwiseClone();
        copy.DistanceMatrix = DistanceMatrix?.Select(row => (IReadOnlyList<double>)(row is null ? null! : [.. row])).ToArray();
        return copy;
    }
}
