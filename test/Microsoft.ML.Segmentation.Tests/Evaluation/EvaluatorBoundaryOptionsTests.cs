using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Evaluation;

/// <summary>
/// <see cref="SegmentationEvaluatorOptions.BoundaryMetrics"/>: the evaluator honours every
/// <see cref="BoundaryMetricOptions"/> setting, checked against distances computed by brute force on tiny masks.
/// </summary>
[TestClass]
public sealed class EvaluatorBoundaryOptionsTests
{
    private const int Height = 6, Width = 7;

    // Class 1: truth rows 1..3 × columns 1..4, prediction rows 2..4 × columns 2..6; class 0 is the rest.
    private static readonly int[] s_truth = Labels((y, x) => y is >= 1 and <= 3 && x is >= 1 and <= 4);
    private static readonly int[] s_predicted = Labels((y, x) => y is >= 2 and <= 4 && x is >= 2 and <= 6);

    private static int[] Labels(Func<int, int, bool> inside)
    {
        var labels = new int[Height * Width];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                labels[(y * Width) + x] = inside(y, x) ? 1 : 0;
            }
        }

        return labels;
    }

    private static BoundaryResults Evaluate(BoundaryMetricOptions settings)
    {
        var evaluator = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = settings });
        evaluator.Add(s_predicted, s_truth, Height, Width);
        return evaluator.GetMetrics().Boundary!;
    }

    /// <summary>The surface pixels (row, column) of class <paramref name="c"/>, from <see cref="BoundaryMetrics.Edges"/>.</summary>
    private static List<(int Y, int X)> Surface(int[] labels, int c)
    {
        byte[] mask = labels.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
        var edges = new byte[mask.Length];
        BoundaryMetrics.Edges(mask, [Height, Width], edges);
        return Enumerable.Range(0, edges.Length).Where(i => edges[i] != 0).Select(i => (i / Width, i % Width)).ToList();
    }

    /// <summary>For each surface pixel of <paramref name="from"/>, the distance to the nearest surface pixel of <paramref name="to"/>, by brute force.</summary>
    private static double[] Directed(List<(int Y, int X)> from, List<(int Y, int X)> to, Func<int, int, double> distance)
        => from.Select(a => to.Min(b => distance(a.Y - b.Y, a.X - b.X))).ToArray();

    private static Func<int, int, double> Euclidean(double rowSpacing, double columnSpacing)
        => (dy, dx) => Math.Sqrt((dy * rowSpacing * dy * rowSpacing) + (dx * columnSpacing * dx * columnSpacing));

    [TestMethod]
    public void SpacingScalesTheDistancesAsABruteForceComputationDoes()
    {
        double[] spacing = [2, 0.7];
        BoundaryResults spaced = Evaluate(new BoundaryMetricOptions { Spacing = spacing, Symmetric = true, SurfaceTolerance = 1 });
        BoundaryResults unit = Evaluate(new BoundaryMetricOptions { Symmetric = true });
        for (int c = 0; c < 2; c++)
        {
            List<(int Y, int X)> p = Surface(s_predicted, c), t = Surface(s_truth, c);
            double[] forward = Directed(p, t, Euclidean(spacing[0], spacing[1]));
            double[] backward = Directed(t, p, Euclidean(spacing[0], spacing[1]));
            double[] all = [.. forward, .. backward];
            Assert.AreEqual(Math.Max(forward.Max(), backward.Max()), spaced.PerClassHausdorff[c], 1e-12, $"HD of class {c}");
            Assert.AreEqual(all.Average(), spaced.PerClassAverageSurfaceDistance[c], 1e-12, $"ASSD of class {c}");
            Assert.AreEqual(all.Count(d => d <= 1) / (double)all.Length, spaced.PerClassSurfaceDice[c], 1e-12, $"NSD of class {c}");

            double[] unitAll = [.. Directed(p, t, Euclidean(1, 1)), .. Directed(t, p, Euclidean(1, 1))];
            Assert.AreEqual(unitAll.Average(), unit.PerClassAverageSurfaceDistance[c], 1e-12, $"unit ASSD of class {c}");
        }

        // The spacing really changes the results (rows twice as far, columns closer): the test could not pass by ignoring it.
        Assert.AreNotEqual(unit.PerClassHausdorff[1], spaced.PerClassHausdorff[1]);
        // Boundary IoU is in pixels whatever the spacing.
        CollectionAssert.AreEqual(unit.PerClassBoundaryIoU.ToArray(), spaced.PerClassBoundaryIoU.ToArray());
    }

    [TestMethod]
    public void SpacingAgreesWithThePerPairFunction()
    {
        var settings = new BoundaryMetricOptions { Spacing = [0.3, 1.7], Percentile = 95 };
        BoundaryResults b = Evaluate(settings);
        for (int c = 0; c < 2; c++)
        {
            byte[] p = s_predicted.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
            byte[] t = s_truth.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
            Assert.AreEqual(BoundaryMetrics.HausdorffDistance(p, t, [Height, Width], settings), b.PerClassHausdorff[c], 1e-12);
            Assert.AreEqual(BoundaryMetrics.AverageSurfaceDistance(p, t, [Height, Width], settings), b.PerClassAverageSurfaceDistance[c], 1e-12);
        }
    }

    [TestMethod]
    public void MetricDirectedAndSymmetricAreHonoured()
    {
        Func<int, int, double> chessboard = (dy, dx) => Math.Max(Math.Abs(dy), Math.Abs(dx));
        BoundaryResults board = Evaluate(new BoundaryMetricOptions { Metric = DistanceMetric.Chessboard, Directed = true });
        for (int c = 0; c < 2; c++)
        {
            List<(int Y, int X)> p = Surface(s_predicted, c), t = Surface(s_truth, c);
            double[] forward = Directed(p, t, chessboard);
            // Directed: prediction → truth only; not symmetric: the average is of that direction alone.
            Assert.AreEqual(forward.Max(), board.PerClassHausdorff[c], 1e-12, $"directed chessboard HD of class {c}");
            Assert.AreEqual(forward.Average(), board.PerClassAverageSurfaceDistance[c], 1e-12, $"directed chessboard ASD of class {c}");
        }

        Assert.IsFalse(board.SymmetricSurfaceDistance);
        BoundaryResults both = Evaluate(new BoundaryMetricOptions { Metric = DistanceMetric.Chessboard, Symmetric = true });
        List<(int Y, int X)> p1 = Surface(s_predicted, 1), t1 = Surface(s_truth, 1);
        double[] forward1 = Directed(p1, t1, chessboard), backward1 = Directed(t1, p1, chessboard);
        Assert.AreEqual(Math.Max(forward1.Max(), backward1.Max()), both.PerClassHausdorff[1], 1e-12, "undirected chessboard HD");
        Assert.AreEqual(forward1.Concat(backward1).Average(), both.PerClassAverageSurfaceDistance[1], 1e-12, "symmetric chessboard ASD");
        // On these masks the settings matter, so the assertions above could not pass by ignoring them.
        Assert.AreNotEqual(forward1.Max(), backward1.Max());
        Assert.AreNotEqual(forward1.Average(), forward1.Concat(backward1).Average());
    }

    [TestMethod]
    public void PercentileIsHonouredAsGivenAndNullIsTheMaximum()
    {
        BoundaryResults max = Evaluate(new BoundaryMetricOptions());
        BoundaryResults hd95 = Evaluate(BoundaryMetricOptions.Hd95());
        for (int c = 0; c < 2; c++)
        {
            byte[] p = s_predicted.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
            byte[] t = s_truth.Select(v => (byte)(v == c ? 1 : 0)).ToArray();
            List<(int Y, int X)> ps = Surface(s_predicted, c), ts = Surface(s_truth, c);
            Assert.AreEqual(Math.Max(Directed(ps, ts, Euclidean(1, 1)).Max(), Directed(ts, ps, Euclidean(1, 1)).Max()), max.PerClassHausdorff[c], 1e-12);
            Assert.AreEqual(BoundaryMetrics.HausdorffDistance(p, t, [Height, Width], new BoundaryMetricOptions { Percentile = 95 }), hd95.PerClassHausdorff[c], 1e-12);
        }

        Assert.IsNull(max.Percentile);
        Assert.AreEqual(95, hd95.Percentile);
        Assert.IsTrue(hd95.SymmetricSurfaceDistance);
    }

    [TestMethod]
    public void TablesNameTheSettings()
    {
        var evaluator = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = BoundaryMetricOptions.Hd95() });
        evaluator.Add(s_predicted, s_truth, Height, Width);
        // The header segml eval --boundary has always printed.
        StringAssert.Contains(evaluator.GetMetrics().GetFormattedPerClassTable(), "   HD95     ASSD  SurfDice@1  BoundaryIoU");

        var plain = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = new BoundaryMetricOptions { SurfaceTolerance = 2 } });
        plain.Add(s_predicted, s_truth, Height, Width);
        StringAssert.Contains(plain.GetMetrics().GetFormattedPerClassTable(), "     HD      ASD  SurfDice@2  BoundaryIoU");
        StringAssert.Contains(plain.GetMetrics().ToJson(), "\"boundaryPercentile\": null");
    }

    [TestMethod]
    public void InvalidSettingsAreRejectedNamingTheOption()
    {
        (BoundaryMetricOptions Settings, string Option)[] cases =
        [
            (new() { Percentile = 0 }, "Percentile"),
            (new() { Percentile = 100.5 }, "Percentile"),
            (new() { Percentile = double.NaN }, "Percentile"),
            (new() { SurfaceTolerance = -0.5 }, "SurfaceTolerance"),
            (new() { SurfaceTolerance = double.NaN }, "SurfaceTolerance"),
            (new() { BoundaryWidth = 0 }, "BoundaryWidth"),
            (new() { BoundaryWidth = -1 }, "BoundaryWidth"),
            (new() { Spacing = [1, 1, 1] }, "Spacing"),
            (new() { Spacing = [1] }, "Spacing"),
            (new() { Spacing = [1, 0] }, "Spacing"),
            (new() { Spacing = [double.PositiveInfinity, 1] }, "Spacing"),
            (new() { Metric = (DistanceMetric)42 }, "Metric"),
        ];
        foreach ((BoundaryMetricOptions settings, string option) in cases)
        {
            var e = Assert.Throws<ArgumentException>(() => new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = settings }));
            Assert.AreEqual($"options.BoundaryMetrics.{option}", e.ParamName, option);
            StringAssert.Contains(e.Message, option);
        }

        // The bounds themselves are valid.
        _ = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = new() { Percentile = 100, SurfaceTolerance = 0, Spacing = [0.1, 3] } });
    }

    [TestMethod]
    public void TheEvaluatorCopiesItsSettings()
    {
        var settings = new BoundaryMetricOptions { Spacing = [1, 1] };
        var evaluator = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = settings });
        settings.Spacing[0] = 5;
        evaluator.Add(s_predicted, s_truth, Height, Width);
        CollectionAssert.AreEqual(Evaluate(new BoundaryMetricOptions()).PerClassHausdorff.ToArray(), evaluator.GetMetrics().Boundary!.PerClassHausdorff.ToArray());
    }

    [TestMethod]
    public void EvaluatorsWithDifferentSettingsDoNotMerge()
    {
        var a = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = BoundaryMetricOptions.Hd95() });
        var b = new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = new BoundaryMetricOptions { Percentile = 95, Symmetric = true, Spacing = [1, 2] } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => a.Merge(b));
        StringAssert.Contains(e.Message, "BoundaryMetrics.Spacing [1, 2]");
        a.Merge(new SegmentationEvaluator(2, new SegmentationEvaluatorOptions { BoundaryMetrics = BoundaryMetricOptions.Hd95() }));
    }

    [TestMethod]
    public void PerPairFunctionsTakeToleranceAndWidthFromTheOptions()
    {
        byte[] p = s_predicted.Select(v => (byte)v).ToArray();
        byte[] t = s_truth.Select(v => (byte)v).ToArray();
        int[] shape = [Height, Width];
        var options = new BoundaryMetricOptions { SurfaceTolerance = 1.5, BoundaryWidth = 2, Spacing = [1, 0.5] };
        Assert.AreEqual(BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, 1.5, options), BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, options));
        Assert.AreNotEqual(BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, 0, options), BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, options), "the tolerance matters on these masks");
        Assert.AreEqual(BoundaryMetrics.BoundaryIou(p, t, shape, 2), BoundaryMetrics.BoundaryIou(p, t, shape, options));
        Assert.AreNotEqual(BoundaryMetrics.BoundaryIou(p, t, shape, 1), BoundaryMetrics.BoundaryIou(p, t, shape, options), "the width matters on these masks");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BoundaryMetrics.NormalizedSurfaceDice(p, t, shape, new BoundaryMetricOptions { SurfaceTolerance = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BoundaryMetrics.BoundaryIou(p, t, shape, new BoundaryMetricOptions { BoundaryWidth = 0 }));
        Assert.ThrowsExactly<ArgumentNullException>(() => BoundaryMetrics.BoundaryIou(p, t, shape, (BoundaryMetricOptions)null!));
    }
}
