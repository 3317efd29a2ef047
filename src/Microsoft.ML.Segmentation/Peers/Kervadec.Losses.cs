using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce the reference code of Kervadec et al., "Boundary loss for highly unbalanced segmentation"
/// (MIDL 2019 / MedIA 2021; github.com/LIVIAETS/boundary-loss), with its parameter names in C# camelCase.
/// </summary>
public static class Kervadec
{
    /// <summary>
    /// The reference <c>SurfaceLoss(idc)</c> (its <c>BoundaryLoss</c>) on softmax probabilities, with the distance maps
    /// its data pipeline builds: <c>one_hot2dist</c> of the one-hot target, stored as int32 (truncated toward 0), and
    /// SciPy's distances for a class that fills the image. The mean over (image, class in idc, pixel) of p·φ.
    /// </summary>
    /// <param name="idc">The classes summed over (the README uses [1]).</param>
    /// <param name="resolution">The pixel spacing <c>[y, x]</c> given to <c>dist_map_transform</c>; null for [1, 1].</param>
    /// <param name="int32DistanceMaps">Truncate the maps as the reference dataloader does (<c>class2one_hot</c> gives int32). Default true; false is <c>one_hot2dist(…, dtype=np.float32)</c>.</param>
    /// <returns>The loss; the scores are probabilities (apply the softmax first, as the reference does).</returns>
    public static ISegmentationLoss SurfaceLoss(IReadOnlyList<int> idc, IReadOnlyList<double>? resolution = null, bool int32DistanceMaps = true)
        => new BoundaryLoss(new BoundaryLossOptions
        {
            Activation = Activation.None,
            ClassIndices = idc.ToArray(),
            Spacing = resolution?.ToArray(),
            TruncateDistances = int32DistanceMaps,
            FullClass = FullMaskDistance.ScipyVirtualOutside,
        });
}
