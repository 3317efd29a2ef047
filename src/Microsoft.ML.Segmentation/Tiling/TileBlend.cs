namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>How the scores of overlapping windows are weighted before they are averaged (MONAI's <c>mode</c>).</summary>
public enum TileBlend
{
    /// <summary>Every pixel of a window weighs 1: overlaps are plain means (MONAI <c>"constant"</c>, its default).</summary>
    Constant,

    /// <summary>
    /// A separable Gaussian centred on the window, σ = <see cref="TilingOptions.SigmaScale"/> × tile size per axis,
    /// clamped below at max(its minimum, 1e-3): window borders weigh less (MONAI <c>"gaussian"</c>).
    /// </summary>
    Gaussian,
}
