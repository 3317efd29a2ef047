using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Settings of the boundary metrics in <see cref="BoundaryMetrics"/>. The defaults reproduce MONAI's
/// <c>HausdorffDistanceMetric</c> and <c>SurfaceDistanceMetric</c>.
/// </summary>
/// <remarks>
/// Empty masks follow MONAI: when exactly one of the two masks is empty, the directed distances are +∞, so the
/// Hausdorff and average surface distances are +∞ (NaN with a <see cref="Percentile"/>, since the interpolated quantile
/// of +∞ values is NaN, as in <c>torch.quantile</c>) and the normalised surface Dice is 0; when both are empty, every
/// metric is NaN.
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</para>
/// </remarks>
public sealed class BoundaryMetricOptions
{
    /// <summary>
    /// Gets or sets the element spacing per axis (e.g. millimetres per row and per column), used by
    /// <see cref="DistanceMetric.Euclidean"/> only. Default: null (1 on every axis); range: finite, &gt; 0, one per axis.
    /// </summary>
    public double[]? Spacing { get; set; }

    /// <summary>Gets or sets the distance metric. Default: <see cref="DistanceMetric.Euclidean"/>.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Euclidean;

    /// <summary>
    /// Gets or sets the percentile the Hausdorff distance takes of each directed distance set before the maximum of
    /// the two (95 gives HD95), with linear interpolation. Default: null (the maximum); range: 0..100.
    /// </summary>
    public double? Percentile { get; set; }

    /// <summary>
    /// Gets or sets whether the Hausdorff distance is directed (prediction → truth only).
    /// Default: false (the maximum over both directions).
    /// </summary>
    public bool Directed { get; set; }

    /// <summary>
    /// Gets or sets whether the average surface distance is symmetric: the mean of the prediction → truth and
    /// truth → prediction distances together. Default: false (prediction → truth only, as MONAI).
    /// </summary>
    public bool Symmetric { get; set; }
}
