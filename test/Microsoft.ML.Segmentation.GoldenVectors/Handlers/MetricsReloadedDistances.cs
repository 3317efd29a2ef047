using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MetricsReloaded's boundary measures of one binary image (its <c>BinaryPairwiseMeasures</c> with unit spacing).
/// Borders are the MONAI surfaces (<see cref="BoundaryMetrics.Edges"/>): a 4-/6-neighbour shift with zero fill.
/// Its distances sum per-pixel maps that are zero off the border, so: ASSD = (Σ d(pred→ref) + Σ d(ref→pred)) /
/// (|pred border| + |ref border| + smooth_dr); MASD = the mean of the two directed means (each denominator + smooth_dr);
/// Boundary IoU takes the band on both sides of each border; its xTh percentile Hausdorff distance takes
/// NumPy's linear percentile of each masked map over the whole union of the two masks (zeros included) before the maximum;
/// NSD counts border elements within τ = 1. Both masks empty: the distances read 0.
/// </summary>
internal static class MetricsReloadedDistances
{
    public static readonly string[] Names =
    [
        "Boundary IoU", "Average Symmetric Surface Distance", "Mean Average Surfance Distance", "Mean Average Surface Distance",
        "Hausdorff Distance", "xTh Percentile Hausdorff Distance", "Normalised Surface Distance",
    ];

    public static double Measure(string name, byte[] pred, byte[] truth, int[] shape, double smoothing)
    {
        if (name == "Boundary IoU")
        {
            return BoundaryMetrics.BoundaryIou(pred, truth, shape, boundaryWidth: 1);
        }

        if (!pred.Any(v => v != 0) && !truth.Any(v => v != 0))
        {
            return 0;
        }

        if (name == "Normalised Surface Distance")
        {
            return BoundaryMetrics.NormalizedSurfaceDice(pred, truth, shape, tolerance: 1);
        }

        // Per-pixel maps as MetricsReloaded builds them: distance to the other border on one's own border, 0 elsewhere.
        double[] predMap = BorderMap(pred, truth, shape, out int predBorder);
        double[] truthMap = BorderMap(truth, pred, shape, out int truthBorder);
        switch (name)
        {
            case "Average Symmetric Surface Distance":
                return (predMap.Sum() + truthMap.Sum()) / (predBorder + truthBorder + smoothing);
            case "Mean Average Surfance Distance" or "Mean Average Surface Distance":
                return 0.5 * ((predMap.Sum() / (predBorder + smoothing)) + (truthMap.Sum() / (truthBorder + smoothing)));
            case "Hausdorff Distance":
                return Math.Max(predMap.Max(), truthMap.Max());
            default:
                var predUnion = new List<double>();
                var truthUnion = new List<double>();
                for (int i = 0; i < pred.Length; i++)
                {
                    if (pred[i] != 0 || truth[i] != 0)
                    {
                        predUnion.Add(predMap[i]);
                        truthUnion.Add(truthMap[i]);
                    }
                }

                return Math.Max(BoundaryMetrics.Quantile(predUnion.ToArray(), 0.95), BoundaryMetrics.Quantile(truthUnion.ToArray(), 0.95));
        }
    }

    private static double[] BorderMap(byte[] source, byte[] target, int[] shape, out int borderCount)
    {
        var sourceEdges = new byte[source.Length];
        var targetEdges = new byte[target.Length];
        BoundaryMetrics.Edges(source, shape, sourceEdges);
        BoundaryMetrics.Edges(target, shape, targetEdges);
        for (int i = 0; i < targetEdges.Length; i++)
        {
            targetEdges[i] = targetEdges[i] != 0 ? (byte)0 : (byte)1;
        }

        var distance = new double[source.Length];
        EuclideanDistanceTransform.Compute(targetEdges, shape, [], distance);
        borderCount = 0;
        for (int i = 0; i < distance.Length; i++)
        {
            if (sourceEdges[i] != 0)
            {
                borderCount++;
            }
            else
            {
                distance[i] = 0;
            }
        }

        return distance;
    }
}
