using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Per-class boundary metrics, each the mean over the images where it is finite (a class missing from one mask gives
/// +∞ distances and is left out, like MONAI's mean reduction). Distances are in the units of
/// <see cref="Metrics.BoundaryMetricOptions.Spacing"/> (pixels by default).
/// </summary>
/// <param name="Percentile">The Hausdorff percentile used (95 for HD95); <see langword="null"/> for the maximum (<see cref="Metrics.BoundaryMetricOptions.Percentile"/>).</param>
/// <param name="SurfaceTolerance">The normalised surface Dice tolerance, in the units of the spacing (pixels by default).</param>
/// <param name="SymmetricSurfaceDistance">Whether <paramref name="PerClassAverageSurfaceDistance"/> is the symmetric mean of both directions (ASSD) or prediction → truth only (<see cref="Metrics.BoundaryMetricOptions.Symmetric"/>).</param>
/// <param name="PerClassHausdorff">Hausdorff distance at <paramref name="Percentile"/> per class.</param>
/// <param name="PerClassAverageSurfaceDistance">Average surface distance per class (symmetric when <paramref name="SymmetricSurfaceDistance"/>).</param>
/// <param name="PerClassSurfaceDice">Normalised surface Dice per class.</param>
/// <param name="PerClassBoundaryIoU">Boundary IoU per class.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record BoundaryResults(
    double? Percentile,
    double SurfaceTolerance,
    bool SymmetricSurfaceDistance,
    IReadOnlyList<double> PerClassHausdorff,
    IReadOnlyList<double> PerClassAverageSurfaceDistance,
    IReadOnlyList<double> PerClassSurfaceDice,
    IReadOnlyList<double> PerClassBoundaryIoU);
