namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// What the inside distance of a mask that covers every element is, when <see cref="SignedDistanceMap"/> builds a
/// class's map and the class has no outside to measure to.
/// </summary>
public enum FullMaskDistance
{
    /// <summary>The whole map is 0: a class without a boundary adds nothing to a boundary loss (SegML's default).</summary>
    Zero = 0,

    /// <summary>
    /// SciPy's result for <c>distance_transform_edt</c> of an all-true mask, which Kervadec's reference code inherits:
    /// the distance to a virtual outside element one step before index 0 of the first axis,
    /// √(((i₀ + 1)·s₀)² + Σ_{a≥1} (i_a·s_a)²), so the map is −(that − 1).
    /// </summary>
    ScipyVirtualOutside = 1,
}
