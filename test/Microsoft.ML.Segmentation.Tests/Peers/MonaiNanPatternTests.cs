using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// MONAI 1.5.0's per-(item, class) tensors (reduction="none") hold NaN exactly where a class is absent, and its
/// reductions leave NaN out (an empty mean reads 0). Expected grids are written out by hand from MONAI's formulas.
/// </summary>
[TestClass]
public sealed class MonaiNanPatternTests
{
    // Two items, three channels of four pixels each.
    // Item 0: channel 0 truth {0,1} pred {0}; channel 1 truth {} pred {2}; channel 2 truth {} pred {}.
    // Item 1: channel 0 truth {3} pred {3}; channel 1 truth {0,1} pred {0,1,2}; channel 2 truth {} pred {}.
    private static readonly SegmentationShape Shape = new(2, 3, 1, 4);

    private static (double[] Pred, double[] Truth) Masks()
    {
        var pred = new double[24];
        var truth = new double[24];
        void Set(double[] t, int b, int c, params int[] pixels)
        {
            foreach (int i in pixels)
            {
                t[(((b * 3) + c) * 4) + i] = 1;
            }
        }

        Set(truth, 0, 0, 0, 1);
        Set(pred, 0, 0, 0);
        Set(pred, 0, 1, 2);
        Set(truth, 1, 0, 3);
        Set(pred, 1, 0, 3);
        Set(truth, 1, 1, 0, 1);
        Set(pred, 1, 1, 0, 1, 2);
        return (pred, truth);
    }

    internal static void AssertGrid(double[] expected, double[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.IsTrue(double.IsNaN(actual[i]), $"entry {i}: expected NaN, got {actual[i]}");
            }
            else
            {
                Assert.AreEqual(expected[i], actual[i], 1e-12, $"entry {i}");
            }
        }
    }

    [TestMethod]
    public void DiceMetric_IgnoreEmpty_NaNWhereTheTruthIsEmpty()
    {
        (double[] pred, double[] truth) = Masks();
        double[] grid = Monai.DiceMetric(reduction: "none").Compute<double>(pred, truth, Shape);
        AssertGrid([2.0 / 3, double.NaN, double.NaN, 1, 2.0 * 2 / 5, double.NaN], grid);
    }

    [TestMethod]
    public void DiceMetric_WithoutIgnoreEmpty_OneForBothEmptyAndZeroForAFalsePositive()
    {
        (double[] pred, double[] truth) = Masks();
        double[] grid = Monai.DiceMetric(reduction: "none", ignoreEmpty: false).Compute<double>(pred, truth, Shape);
        AssertGrid([2.0 / 3, 0, 1, 1, 0.8, 1], grid);
    }

    [TestMethod]
    public void MeanIoU_NaNPatternAndReductions()
    {
        (double[] pred, double[] truth) = Masks();
        AssertGrid([0.5, double.NaN, double.NaN, 1, 2.0 / 3, double.NaN], Monai.MeanIoU(reduction: "none").Compute<double>(pred, truth, Shape));

        // mean: per item over its valid channels, then over items: (0.5 + (1 + 2/3)/2) / 2.
        AssertGrid([(0.5 + ((1 + (2.0 / 3)) / 2)) / 2], Monai.MeanIoU().Compute<double>(pred, truth, Shape));

        // mean_batch: channel 2 has no valid item and reads 0 (MONAI issue #7504).
        AssertGrid([0.75, 2.0 / 3, 0], Monai.MeanIoU(reduction: "mean_batch").Compute<double>(pred, truth, Shape));
        AssertGrid([0.5 + 1 + (2.0 / 3)], Monai.MeanIoU(reduction: "sum").Compute<double>(pred, truth, Shape));
        AssertGrid([1, 2], Monai.MeanIoU(reduction: "mean_channel", getNotNans: true).CountNotNans(ConfusionCounts.FromMasks<double>(pred, truth, Shape)));
    }

    [TestMethod]
    public void ConfusionMatrixMetric_ComputeSample_NaNWhereTheDenominatorIsZero()
    {
        (double[] pred, double[] truth) = Masks();

        // precision TP/(TP+FP): item 0 channel 2 predicts nothing (0/0); item 1 channel 2 too.
        double[] grid = Monai.ConfusionMatrixMetric(metricName: "precision", computeSample: true, reduction: "none").Compute<double>(pred, truth, Shape);
        AssertGrid([1, 0, double.NaN, 1, 2.0 / 3, double.NaN], grid);
    }

    [TestMethod]
    public void BoundaryMetrics_EmptyMasks_InfinityOrNaN()
    {
        byte[] square = new byte[25];
        square[6] = square[7] = square[11] = square[12] = 1;
        byte[] empty = new byte[25];
        int[] spatial = [5, 5];
        MonaiBoundaryMetric hd = Monai.HausdorffDistanceMetric(reduction: "none");
        Assert.AreEqual(double.PositiveInfinity, hd.Score(square, empty, spatial, 0));
        Assert.IsTrue(double.IsNaN(hd.Score(empty, empty, spatial, 0)));
        Assert.IsTrue(double.IsNaN(Monai.HausdorffDistanceMetric(percentile: 95).Score(square, empty, spatial, 0)), "HD95 of an empty side is NaN (torch.quantile of inf)");
        Assert.AreEqual(double.PositiveInfinity, Monai.SurfaceDistanceMetric().Score(square, empty, spatial, 0));
        MonaiBoundaryMetric nsd = Monai.SurfaceDiceMetric([1.0]);
        Assert.AreEqual(0.0, nsd.Score(square, empty, spatial, 0));
        Assert.IsTrue(double.IsNaN(nsd.Score(empty, empty, spatial, 0)));

        // A [1,2,5,5] input without background: only channel 1 is scored; both empty → NaN, which mean reads as 0.
        byte[] both = [.. square, .. empty];
        AssertGrid([double.NaN], hd.Compute(both, both, [1, 2, 5, 5]));
        AssertGrid([0], Monai.HausdorffDistanceMetric().Compute(both, both, [1, 2, 5, 5]));
    }

    [TestMethod]
    public void HausdorffPercentileZero_IsTheMaximum_AsMonai()
    {
        byte[] a = new byte[25], b = new byte[25];
        a[0] = 1;
        b[0] = b[4] = 1;
        int[] spatial = [5, 5];
        Assert.AreEqual(Monai.HausdorffDistanceMetric().Score(a, b, spatial, 0), Monai.HausdorffDistanceMetric(percentile: 0).Score(a, b, spatial, 0));
    }

    [TestMethod]
    public void GridReductions_LeaveNaNOut()
    {
        double[] grid = [1, double.NaN, 3, double.NaN, double.NaN, double.NaN];
        AssertGrid([2], GridReductions.Reduce(grid, 2, 3, GridReduction.Mean));
        AssertGrid([2, 0], GridReductions.Reduce(grid, 2, 3, GridReduction.MeanChannel));
        AssertGrid([1, 0, 3], GridReductions.Reduce(grid, 2, 3, GridReduction.MeanBatch));
        AssertGrid([4], GridReductions.Reduce(grid, 2, 3, GridReduction.Sum));
        AssertGrid([1], GridReductions.CountNotNans(grid, 2, 3, GridReduction.Mean));
        AssertGrid([2, 0], GridReductions.CountNotNans(grid, 2, 3, GridReduction.SumChannel));
        AssertGrid([0], GridReductions.Reduce([double.NaN, double.NaN], 1, 2, GridReduction.Mean));
    }

    [TestMethod]
    public void UnmappableParameters_ThrowNotSupported()
    {
        Assert.ThrowsExactly<NotSupportedException>(() => Monai.DiceMetric(returnWithLabel: true));
        Assert.ThrowsExactly<NotSupportedException>(() => Monai.SurfaceDiceMetric([1.0], useSubvoxels: true));
        Assert.ThrowsExactly<NotSupportedException>(() => Monai.ConfusionMatrixMetric(metricName: "auc"));
        Assert.ThrowsExactly<ArgumentException>(() => Monai.MeanIoU(reduction: "median"));
    }
}
