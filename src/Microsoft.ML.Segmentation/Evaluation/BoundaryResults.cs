using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Per-class boundary metrics, each the mean over the images where it is finite (a class missing from one mask gives
/// +∞ distances and is left out, like MONAI's mean reduction). Distances are in pixels.
/// </summary>
/// <param name="Percentile">The Hausdorff percentile used (95 for HD95, 100 for the maximum).</param>
/// <param name="SurfaceTolerance">The normalised surface Dice tolerance, in pixels.</param>
/// <param name="PerClassHausdorff">Hausdorff distance at <paramref name="Percentile"/> per class.</param>
/// <param name="PerClassAverageSurfaceDistance">Average symmetric surface distance per class.</param>
/// <param name="PerClassSurfaceDice">Normalised surface Dice per class.</param>
/// <param name="PerClassBoundaryIoU">Boundary IoU per class.</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record BoundaryResults(
    double Percentile,
    double SurfaceTolerance,
    IReadOnlyList<double> PerClassHausdorff,
    IReadOnlyList<double> PerClassAverageSurfaceDistance,
    IReadOnlyList<double> PerClassSurfaceDice,
    IReadOnlyList<double> PerClassBoundaryIoU);
