namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// How the generalized Dice loss and score weigh each class from its ground-truth volume V = Σt in a region.
/// A class with V = 0 would get an infinite weight; it gets the largest finite weight of the region instead (MONAI).
/// </summary>
public enum GeneralizedDiceWeighting
{
    /// <summary>w = 1/V² (Sudre et al., 2017; MONAI's default <c>'square'</c>).</summary>
    Square = 0,

    /// <summary>w = 1/V (MONAI <c>'simple'</c>).</summary>
    Simple = 1,

    /// <summary>w = 1: the plain Dice of the pooled counts (MONAI <c>'uniform'</c>).</summary>
    Uniform = 2,
}
