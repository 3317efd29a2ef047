using System;
using System.Globalization;
using System.Linq;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Settings of the boundary metrics in <see cref="BoundaryMetrics"/> and of the evaluator's boundary metrics
/// (<see cref="Evaluation.SegmentationEvaluatorOptions.BoundaryMetrics"/>). The defaults reproduce MONAI's
/// <c>HausdorffDistanceMetric</c> and <c>SurfaceDistanceMetric</c>; <see cref="Hd95"/> gives the common evaluation
/// setting (HD95 and the symmetric average surface distance).
/// </summary>
/// <remarks>
/// Empty masks follow MONAI: when exactly one of the two masks is empty, the directed distances are +∞, so the
/// Hausdorff and average surface distances are +∞ (NaN with a <see cref="Percentile"/>, since the interpolated quantile
/// of +∞ values is NaN, as in <c>torch.quantile</c>) and the normalised surface Dice is 0; when both are empty, every
/// metric is NaN.
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use (<see cref="Clone"/> gives an independent copy).</para>
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
    /// the two (95 gives HD95), with linear interpolation. Default: null (the maximum, plain Hausdorff, MONAI's
    /// default); range: 0..100 (the evaluator: (0, 100]).
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

    /// <summary>
    /// Gets or sets the tolerance of the normalised surface Dice: the largest distance (inclusive, in the units of
    /// <see cref="Spacing"/>) that counts as a match, used by the evaluator and by
    /// <see cref="BoundaryMetrics.NormalizedSurfaceDice(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{int}, BoundaryMetricOptions)"/>.
    /// Default: 1; range: ≥ 0.
    /// </summary>
    public double SurfaceTolerance { get; set; } = 1;

    /// <summary>
    /// Gets or sets the strict distance bound of the Boundary IoU band, in pixels (index units: Boundary IoU uses
    /// neither <see cref="Spacing"/> nor <see cref="Metric"/>), used by the evaluator and by
    /// <see cref="BoundaryMetrics.BoundaryIou(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{int}, BoundaryMetricOptions)"/>.
    /// Default: 1 (the surface elements alone); range: &gt; 0.
    /// </summary>
    public double BoundaryWidth { get; set; } = 1;

    /// <summary>
    /// The common evaluation setting, which <c>segml eval --boundary</c> uses: Hausdorff distance at the 95th
    /// percentile (HD95), the symmetric average surface distance (ASSD), normalised surface Dice at 1 pixel and
    /// Boundary IoU with a 1-pixel band, unit spacing, Euclidean distances.
    /// </summary>
    /// <returns>A new options object: <c>new BoundaryMetricOptions { Percentile = 95, Symmetric = true }</c>.</returns>
    public static BoundaryMetricOptions Hd95() => new() { Percentile = 95, Symmetric = true };

    /// <summary>A copy whose <see cref="Spacing"/> is a copy too, so changing it leaves these options as they are.</summary>
    /// <returns>The copy.</returns>
    public BoundaryMetricOptions Clone()
    {
        var copy = (BoundaryMetricOptions)MemberwiseClone();
        copy.Spacing = Spacing is null ? null : (double[])Spacing.Clone();
        return copy;
    }

    /// <summary>
    /// Checks every setting for an evaluation of <paramref name="rank"/>-dimensional images, throwing an exception
    /// that names the offending option as <c><paramref name="name"/>.Setting</c>.
    /// </summary>
    internal void Validate(string name, int rank)
    {
        if (Percentile is double p && !(p > 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException($"{name}.Percentile", p, $"{name}.Percentile ({p}) must lie in (0, 100]; 95 gives HD95, null the maximum.");
        }

        if (!(SurfaceTolerance >= 0))
        {
            throw new ArgumentOutOfRangeException($"{name}.SurfaceTolerance", SurfaceTolerance, $"{name}.SurfaceTolerance ({SurfaceTolerance}) must be 0 or more.");
        }

        if (!(BoundaryWidth > 0))
        {
            throw new ArgumentOutOfRangeException($"{name}.BoundaryWidth", BoundaryWidth, $"{name}.BoundaryWidth ({BoundaryWidth}) must be greater than 0; 1 keeps the surface elements alone.");
        }

        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentOutOfRangeException($"{name}.Metric", Metric, $"{name}.Metric ({Metric}) is not a distance metric.");
        }

        if (Spacing is { } spacing)
        {
            if (spacing.Length != rank)
            {
                throw new ArgumentException($"{name}.Spacing has {spacing.Length} values but the images have {rank} axes; give one spacing per axis (rows, columns).", $"{name}.Spacing");
            }

            foreach (double s in spacing)
            {
                if (!(double.IsFinite(s) && s > 0))
                {
                    throw new ArgumentException($"{name}.Spacing holds {s}; every spacing must be finite and greater than 0.", $"{name}.Spacing");
                }
            }
        }
    }

    /// <summary>
    /// The first setting in which <paramref name="a"/> and <paramref name="b"/> differ, each value shown as text
    /// ("none" for null), or null when they agree on all of them. Every public setting takes part, so two evaluations
    /// whose boundary values could differ never compare equal.
    /// </summary>
    internal static (string Name, string A, string B)? FirstDifference(BoundaryMetricOptions a, BoundaryMetricOptions b)
    {
        (string Name, string A, string B)[] settings =
        [
            (nameof(Percentile), Show(a.Percentile), Show(b.Percentile)),
            (nameof(SurfaceTolerance), Show(a.SurfaceTolerance), Show(b.SurfaceTolerance)),
            (nameof(BoundaryWidth), Show(a.BoundaryWidth), Show(b.BoundaryWidth)),
            (nameof(Spacing), Show(a.Spacing), Show(b.Spacing)),
            (nameof(Metric), a.Metric.ToString(), b.Metric.ToString()),
            (nameof(Directed), Show(a.Directed), Show(b.Directed)),
            (nameof(Symmetric), Show(a.Symmetric), Show(b.Symmetric)),
        ];
        foreach ((string Name, string A, string B) setting in settings)
        {
            if (!string.Equals(setting.A, setting.B, StringComparison.Ordinal))
            {
                return setting;
            }
        }

        return null;
    }

    // "R" round-trips, so two doubles show the same text exactly when they are equal.
    private static string Show(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "none";

    private static string Show(bool value) => value ? "true" : "false";

    private static string Show(double[]? values) => values is null ? "none" : $"[{string.Join(", ", values.Select(v => Show(v)))}]";
}
