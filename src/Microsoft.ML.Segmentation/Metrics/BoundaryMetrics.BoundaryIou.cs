using System;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>Boundary IoU.</summary>
public static partial class BoundaryMetrics
{
    /// <summary>
    /// Boundary IoU (Cheng et al. 2021) in MetricsReloaded's convention: each mask's boundary region is every element
    /// (inside or outside the mask) closer than <paramref name="boundaryWidth"/> (Euclidean, in index units) to the
    /// mask's surface, and the score is the IoU of the two regions.
    /// </summary>
    /// <remarks>
    /// The paper keeps only the band inside each mask; MetricsReloaded (and so MONAI's wrapper) takes the band on both
    /// sides. With the default width of 1 the two agree: the region is the surface itself.
    /// </remarks>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="boundaryWidth">
    /// The strict distance bound of the boundary region. Default: 1 (the surface elements alone); range: &gt; 0.
    /// </param>
    /// <returns>The IoU in 0..1; NaN when both masks are empty (0/0).</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or the width is not positive.</exception>
    public static double BoundaryIou(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, double boundaryWidth = 1)
    {
        if (!(boundaryWidth > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(boundaryWidth), boundaryWidth, $"boundaryWidth ({boundaryWidth}) must be greater than 0; 1 keeps the surface elements alone.");
        }

        ValidatePair(prediction, truth, shape);
        bool[] predRegion = BoundaryRegion(prediction, shape, boundaryWidth);
        // An empty mask has no surface, hence no band.
        bool[] truthRegion = BoundaryRegion(truth, shape, boundaryWidth);
        long intersection = 0, union = 0;
        for (int i = 0; i < predRegion.Length; i++)
        {
            intersection += predRegion[i] && truthRegion[i] ? 1 : 0;
            union += predRegion[i] || truthRegion[i] ? 1 : 0;
        }

        return (double)intersection / union;
    }

    /// <summary>
    /// Boundary IoU with the band width <see cref="BoundaryMetricOptions.BoundaryWidth"/>; the same as
    /// <see cref="BoundaryIou(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{int}, double)"/> with
    /// <c>options.BoundaryWidth</c>. The band is measured in index units: Boundary IoU uses neither the spacing nor the metric.
    /// </summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="options">The band width.</param>
    /// <returns>The IoU in 0..1; NaN when both masks are empty (0/0).</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or the width is not positive.</exception>
    public static double BoundaryIou(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, BoundaryMetricOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return BoundaryIou(prediction, truth, shape, options.BoundaryWidth);
    }

    private static bool[] BoundaryRegion(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, double width)
    {
        var edges = new byte[mask.Length];
        SurfaceGeometry.Edges(mask, shape, edges);
        for (int i = 0; i < edges.Length; i++)
        {
            edges[i] = edges[i] != 0 ? (byte)0 : (byte)1;
        }

        var distance = new double[mask.Length];
        EuclideanDistanceTransform.Compute(edges, shape, [], distance);
        var region = new bool[mask.Length];
        for (int i = 0; i < region.Length; i++)
        {
            region[i] = distance[i] < width;
        }

        return region;
    }
}
