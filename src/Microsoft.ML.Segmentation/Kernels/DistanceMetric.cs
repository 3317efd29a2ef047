namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>The metric a distance transform measures with.</summary>
public enum DistanceMetric
{
    /// <summary>Straight-line distance, scaled by the element spacing (SciPy <c>distance_transform_edt</c>).</summary>
    Euclidean,

    /// <summary>City-block distance in steps: the sum of the per-axis index differences (SciPy <c>distance_transform_cdt(metric="taxicab")</c>).</summary>
    Taxicab,

    /// <summary>Chessboard distance in steps: the largest per-axis index difference (SciPy <c>distance_transform_cdt(metric="chessboard")</c>).</summary>
    Chessboard,
}
