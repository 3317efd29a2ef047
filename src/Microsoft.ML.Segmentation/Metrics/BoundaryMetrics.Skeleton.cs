using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>Skeleton (centreline) measures: topology precision and sensitivity, centreline Dice.</summary>
public static partial class BoundaryMetrics
{
    /// <summary>
    /// Topology precision (MetricsReloaded's <c>topology_precision</c>): the fraction of the prediction's skeleton that lies
    /// inside the truth, |S(P) ∩ T| / |S(P)|, with S the 2-D skeleton of <see cref="Skeletonization"/>.
    /// </summary>
    /// <param name="prediction">The predicted mask; any non-zero byte is foreground.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The image size, <c>[height, width]</c>, each at least 1.</param>
    /// <returns>The precision in 0..1; NaN (0/0, unsmoothed as in MetricsReloaded) when the prediction is empty.</returns>
    /// <exception cref="ArgumentException">The shape is not 2-D, or a length does not match it.</exception>
    public static double TopologyPrecision(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape)
    {
        ValidateSkeletonPair(prediction, truth, shape);
        return SkeletonInside(prediction, truth, shape);
    }

    /// <summary>
    /// Topology sensitivity (MetricsReloaded's <c>topology_sensitivity</c>): the fraction of the truth's skeleton that lies
    /// inside the prediction, |S(T) ∩ P| / |S(T)|.
    /// </summary>
    /// <param name="prediction">The predicted mask; any non-zero byte is foreground.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The image size, <c>[height, width]</c>, each at least 1.</param>
    /// <returns>The sensitivity in 0..1; NaN (0/0) when the truth is empty.</returns>
    /// <exception cref="ArgumentException">The shape is not 2-D, or a length does not match it.</exception>
    public static double TopologySensitivity(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape)
    {
        ValidateSkeletonPair(prediction, truth, shape);
        return SkeletonInside(truth, prediction, shape);
    }

    /// <summary>
    /// Centreline Dice, clDice (Shit et al. 2021; MetricsReloaded's <c>centreline_dsc</c>): the harmonic mean of topology
    /// precision and sensitivity, 2·Prec·Sens / (Prec + Sens).
    /// </summary>
    /// <param name="prediction">The predicted mask; any non-zero byte is foreground.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The image size, <c>[height, width]</c>, each at least 1.</param>
    /// <returns>
    /// The score in 0..1; NaN when either mask is empty (its ratio is 0/0) and when both ratios are 0 (0/0), as
    /// MetricsReloaded, which adds no smoothing here.
    /// </returns>
    /// <exception cref="ArgumentException">The shape is not 2-D, or a length does not match it.</exception>
    public static double CentrelineDice(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape)
    {
        ValidateSkeletonPair(prediction, truth, shape);
        double precision = SkeletonInside(prediction, truth, shape);
        double sensitivity = SkeletonInside(truth, prediction, shape);
        return 2 * sensitivity * precision / (sensitivity + precision);
    }

    /// <summary>|S(<paramref name="skeletonOf"/>) ∩ <paramref name="inside"/>| / |S(<paramref name="skeletonOf"/>)|.</summary>
    private static double SkeletonInside(ReadOnlySpan<byte> skeletonOf, ReadOnlySpan<byte> inside, ReadOnlySpan<int> shape)
    {
        byte[] skeleton = Skeletonization.Skeletonize(skeletonOf, shape[0], shape[1]);
        long hits = 0, total = 0;
        for (int i = 0; i < skeleton.Length; i++)
        {
            if (skeleton[i] != 0)
            {
                total++;
                hits += inside[i] != 0 ? 1 : 0;
            }
        }

        return (double)hits / total;
    }

    private static void ValidateSkeletonPair(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape)
    {
        if (shape.Length != 2)
        {
            throw new ArgumentException($"shape must have 2 axes ([height, width]) for the skeleton measures (got {shape.Length}); only 2-D skeletons are implemented.", nameof(shape));
        }

        ValidatePair(prediction, truth, shape);
    }
}
