namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>The class weights of the generalized Dice score, from each class's ground-truth volume |y_c| in the image.</summary>
public enum GeneralizedDiceWeighting
{
    /// <summary>w_c = 1 / |y_c|² (Sudre et al.; MONAI's default <c>'square'</c>).</summary>
    Square = 0,

    /// <summary>w_c = 1 / |y_c| (MONAI <c>'simple'</c>).</summary>
    Simple = 1,

    /// <summary>w_c = 1: the plain Dice of the pooled counts (MONAI <c>'uniform'</c>).</summary>
    Uniform = 2,
}
