using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// mmseg <c>eval_metrics</c>/<c>IoUMetric</c>: a dataset confusion matrix (ignore_index skipped), then aAcc = pixel
/// accuracy and per-class IoU, Acc (recall), Dice, Precision, Recall, Fscore with NaN where undefined
/// (<see cref="MetricReduction.PerClass"/>, skipped classes reported NaN); mIoU-style summaries are the mean over
/// defined classes (<see cref="MetricReduction.Macro"/>). Expected values keyed "Name", "Name[i]" or "Name[other]"
/// (all classes not named) are compared one by one.
/// </summary>
internal sealed partial class MmsegIouMetricHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("mmseg") && (file.Callable.Contains("eval_metrics", StringComparison.Ordinal) || file.Callable.Contains("IoUMetric", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        if (MetricCaseInputs.Number(p, "num_classes") is not double k)
        {
            return GoldenOutcome.Unsupported("num_classes is missing");
        }

        GoldenTensor results = MetricCaseInputs.Tensor(testCase, "results");
        GoldenTensor label = MetricCaseInputs.Tensor(testCase, "label");
        int? ignore = MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : 255;
        var matrix = new ConfusionMatrix((int)k, ignore);
        matrix.Add(MetricCaseInputs.Labels(results), MetricCaseInputs.Labels(label), results.Rank > 1 ? results.Shape[0] : 1);
        ConfusionCounts counts = matrix.ToCounts();
        double beta = MetricCaseInputs.Number(p, "beta") ?? 1;
        double? nanToNum = MetricCaseInputs.Number(p, "nan_to_num");

        if (testCase.Expected is not JsonObject expected)
        {
            return GoldenOutcome.Unsupported("only expectations keyed by metric name are mapped");
        }

        foreach ((string key, JsonNode? value) in expected)
        {
            Match m = KeyRegex().Match(key);
            double[]? values = m.Success ? Metric(m.Groups[1].Value, counts, beta) : null;
            if (values is null)
            {
                return GoldenOutcome.Unsupported($"expected key '{key}' is not mapped");
            }

            if (nanToNum is double fill)
            {
                values = values.Select(v => double.IsNaN(v) ? fill : v).ToArray();
            }

            string index = m.Groups[2].Value;
            IEnumerable<int> positions = index.Length == 0 ? new[] { 0 }
                : index == "other" ? Enumerable.Range(0, values.Length).Where(c => !NamedIndices(expected, m.Groups[1].Value).Contains(c))
                : new[] { int.Parse(index, System.Globalization.CultureInfo.InvariantCulture) };
            foreach (int c in positions)
            {
                if (c >= values.Length)
                {
                    return GoldenOutcome.Failed($"{key}: class {c} is outside the {values.Length} classes computed");
                }

                GoldenOutcome one = GoldenOutcome.Compare(value, testCase.Tolerance, new[] { values[c] });
                if (one.Status != GoldenStatus.Passed)
                {
                    return GoldenOutcome.Failed($"{key} (class {c}): {one.Message}");
                }
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"{expected.Count} keys match");
    }

    /// <summary>The per-class values (or one summary value) mmseg reports under <paramref name="name"/>.</summary>
    private static double[]? Metric(string name, ConfusionCounts counts, double beta)
    {
        var perClass = new MetricOptions { Reduction = MetricReduction.PerClass, Beta = beta };
        var mean = new MetricOptions { Reduction = MetricReduction.Macro, Beta = beta };
        return name switch
        {
            "aAcc" => new[] { ConfusionMetrics.PixelAccuracy(counts) },
            "IoU" => ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, perClass),
            "Acc" or "Recall" => ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, perClass),
            "Dice" => ConfusionMetrics.Compute(ConfusionMetric.Dice, counts, perClass),
            "Precision" => ConfusionMetrics.Compute(ConfusionMetric.Precision, counts, perClass),
            "Fscore" => ConfusionMetrics.Compute(ConfusionMetric.FBeta, counts, perClass),
            "mIoU" => ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, mean),
            "mAcc" or "mRecall" => ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, mean),
            "mDice" => ConfusionMetrics.Compute(ConfusionMetric.Dice, counts, mean),
            "mPrecision" => ConfusionMetrics.Compute(ConfusionMetric.Precision, counts, mean),
            "mFscore" => ConfusionMetrics.Compute(ConfusionMetric.FBeta, counts, mean),
            _ => null,
        };
    }

    private static HashSet<int> NamedIndices(JsonObject expected, string name)
        => expected.Select(pair => KeyRegex().Match(pair.Key))
            .Where(m => m.Success && m.Groups[1].Value == name && int.TryParse(m.Groups[2].Value, out _))
            .Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

    [GeneratedRegex(@"^(\w+)(?:\[(\d+|other)\])?$")]
    private static partial Regex KeyRegex();
}
