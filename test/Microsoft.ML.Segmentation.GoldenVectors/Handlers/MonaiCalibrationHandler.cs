using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>CalibrationErrorMetric</c> and <c>calibration_binning</c> through <see cref="Monai.CalibrationErrorMetric"/>
/// and <see cref="Monai.CalibrationBins"/>. Binning cases whose upstream test mocks the edges
/// (<c>bin_boundaries_override</c>) bin with those edges, and are also checked unmocked against
/// <c>peer_code_value_unmocked_linspace</c>; cases that mock the binning itself (<c>binning_output</c>) run the reduction step only.
/// </summary>
internal sealed class MonaiCalibrationHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && file.Callable.Contains("CalibrationErrorMetric", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        int numBins = (int)testCase.Number("num_bins", 20);
        bool right = testCase.Bool("right", false);
        if (testCase.Api.StartsWith("monai.metrics.calibration_binning", StringComparison.Ordinal))
        {
            return Binning(testCase, numBins, right);
        }

        MonaiCalibrationMetric metric = Monai.CalibrationErrorMetric(
            numBins,
            testCase.Bool("include_background", true),
            testCase.Text("calibration_reduction") ?? "expected",
            testCase.Text("metric_reduction") ?? "mean",
            testCase.Bool("get_not_nans", false),
            right);
        if (testCase.Inputs["binning_output"] is JsonObject binned)
        {
            return ReductionOnly(testCase, metric, binned);
        }

        (float[] yPred, float[] y, SegmentationShape shape) = Inputs(testCase);
        int iterations = testCase.Node["iterations"] is JsonNode n ? (int)GoldenValues.Number(n) : 1;
        for (int i = 0; i < iterations; i++)
        {
            metric.Update(yPred, y, shape);
        }

        GoldenOutcome value = GoldenOutcome.Compare(testCase, metric.Aggregate());
        if (value.Status != GoldenStatus.Passed || testCase.Node["expected_not_nans"] is not JsonNode notNans)
        {
            return value;
        }

        GoldenOutcome counts = GoldenOutcome.Compare(notNans, testCase.Tolerance, metric.CountNotNans());
        return counts.Status == GoldenStatus.Passed ? value : counts with { Message = "not_nans: " + counts.Message };
    }

    private static GoldenOutcome Binning(GoldenCase testCase, int numBins, bool right)
    {
        (float[] yPred, float[] y, SegmentationShape shape) = Inputs(testCase);
        // The mocked edges are a float32 tensor upstream: compare against the float32 values.
        CalibrationBinning mocked = testCase.Node["bin_boundaries_override"] is JsonArray edges
            ? new CalibrationBinning(GoldenValues.Flatten(edges).Select(e => (double)(float)e).ToArray(), valueOnEdgeGoesUp: right, separateTopBin: false)
            : Monai.CalibrationBinEdges(numBins, right);
        GoldenOutcome outcome = CompareBins(testCase, testCase.Expected, Monai.CalibrationBins(yPred, y, shape, mocked));
        if (outcome.Status == GoldenStatus.Passed && testCase.Node["peer_code_value_unmocked_linspace"] is JsonObject unmocked)
        {
            GoldenOutcome real = CompareBins(testCase, unmocked, Monai.CalibrationBins(yPred, y, shape, Monai.CalibrationBinEdges(numBins, right)));
            return real.Status == GoldenStatus.Passed ? outcome : real with { Message = "unmocked linspace: " + real.Message };
        }

        return outcome;
    }

    private static GoldenOutcome CompareBins(GoldenCase testCase, JsonNode? expected, CalibrationBin[] bins)
    {
        var parts = new (string Key, double[] Actual)[]
        {
            ("mean_p_per_bin", bins.Select(b => b.MeanConfidence).ToArray()),
            ("mean_gt_per_bin", bins.Select(b => b.Accuracy).ToArray()),
            ("bin_counts", bins.Select(b => (double)b.Count).ToArray()),
        };
        GoldenOutcome last = GoldenOutcome.Failed("no expected bins");
        foreach ((string key, double[] actual) in parts)
        {
            last = GoldenOutcome.Compare(expected?[key], testCase.Tolerance, actual);
            if (last.Status != GoldenStatus.Passed)
            {
                return last with { Message = key + ": " + last.Message };
            }
        }

        return last;
    }

    private static GoldenOutcome ReductionOnly(GoldenCase testCase, MonaiCalibrationMetric metric, JsonObject binned)
    {
        double[] meanP = GoldenValues.Flatten(binned["mean_p_per_bin"]);
        double[] meanGt = GoldenValues.Flatten(binned["mean_gt_per_bin"]);
        double[] counts = GoldenValues.Flatten(binned["bin_counts"]);
        int[] shape = GoldenValues.ShapeOf(binned["bin_counts"]);
        int items = shape[0], channels = shape[1], bins = shape[2];
        var grid = new double[items * channels];
        for (int g = 0; g < grid.Length; g++)
        {
            var cell = new CalibrationBin[bins];
            for (int k = 0; k < bins; k++)
            {
                int at = (g * bins) + k;
                long count = (long)counts[at];
                cell[k] = count == 0 ? default : new CalibrationBin(count, meanP[at] * count, meanGt[at] * count);
            }

            grid[g] = metric.Reduce(cell);
        }

        return GoldenOutcome.Compare(testCase, GridReductions.Reduce(grid, items, channels, metric.MetricReduction));
    }

    private static (float[] YPred, float[] Y, SegmentationShape Shape) Inputs(GoldenCase testCase)
    {
        GoldenTensor pred = MetricCaseInputs.Tensor(testCase, "y_pred");
        GoldenTensor truth = MetricCaseInputs.Tensor(testCase, "y");
        SegmentationShape shape = MetricCaseInputs.Nchw(pred);
        if (!pred.Shape.SequenceEqual(truth.Shape))
        {
            throw new InvalidDataException($"y_pred [{string.Join(",", pred.Shape)}] and y [{string.Join(",", truth.Shape)}] differ.");
        }

        // MONAI's inputs are float32: bin the float32 values, as it does.
        return (pred.Data.Select(v => (float)v).ToArray(), truth.Data.Select(v => (float)v).ToArray(), shape);
    }
}
