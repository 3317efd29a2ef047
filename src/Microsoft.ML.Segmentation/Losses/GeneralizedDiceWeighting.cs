using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>How <see cref="GeneralizedDiceLoss"/> weighs classes from their target volume V = Σt.</summary>
public enum GeneralizedDiceWeighting
{
    /// <summary>w = 1/V² (Sudre et al., 2017; MONAI default).</summary>
    Square = 0,

    /// <summary>w = 1/V.</summary>
    Simple = 1,

    /// <summary>w = 1.</summary>
    Uniform = 2,
}
