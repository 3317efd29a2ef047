using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// mmseg <c>eval_metrics</c>/<c>IoUMetric</c> through <see cref="Mmseg.IoUMetric"/>: per-class keys (IoU, Acc, Dice,
/// Fscore, Precision, Recall) and aAcc are <see cref="MmsegIouMetric.ComputeClassMetrics"/>'s fractions; "mIoU"-style keys
/// are <see cref="MmsegIouMetric.Compute"/>'s percentages, as mmseg reports them. Expected values keyed "Name", "Name[i]" or "Name[other]"
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

        string[] metrics = p["iou_metrics"] is JsonArray list ? list.Select(n => GoldenValues.String(n) ?? string.Empty).ToArray()
            : p["metrics"] is JsonArray old ? old.Select(n => GoldenValues.String(n) ?? string.Empty).ToArray()
            : [MetricCaseInputs.Text(p, "iou_metrics") ?? MetricCaseInputs.Text(p, "metrics") ?? "mIoU"];
        MmsegIouMetric metric = Mmseg.IoUMetric(
            ignoreIndex: MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : 255,
            iouMetrics: metrics,
            nanToNum: MetricCaseInputs.Number(p, "nan_to_num"),
            beta: MetricCaseInputs.Number(p, "beta") ?? 1);
        GoldenTensor results = MetricCaseInputs.Tensor(testCase, "results");
        GoldenTensor label = MetricCaseInputs.Tensor(testCase, "label");
        ConfusionMatrix matrix = metric.CreateConfusionMatrix((int)k);
        matrix.Add(MetricCaseInputs.Labels(results), MetricCaseInputs.Labels(label), results.Rank > 1 ? results.Shape[0] : 1);
        IReadOnlyDictionary<string, double[]> perClass = metric.ComputeClassMetrics(matrix.ToCounts());
        IReadOnlyDictionary<string, double> summary = metric.Compute(matrix.ToCounts());

        if (testCase.Expected is not JsonObject expected)
        {
            return GoldenOutcome.Unsupported("only expectations keyed by metric name are mapped");
        }

        foreach ((string key, JsonNode? value) in expected)
        {
            Match m = KeyRegex().Match(key);
            string name = m.Success ? m.Groups[1].Value : key;

            // "aAcc" and the per-class names are total_area_to_metrics' fractions; "mIoU"-style keys are compute_metrics' percentages.
            double[]? values = perClass.TryGetValue(name, out double[]? v) ? v : summary.TryGetValue(name, out double s) ? new[] { s } : null;
            if (!m.Success || values is null)
            {
                return GoldenOutcome.Unsupported($"expected key '{key}' is not among mmseg's outputs for iou_metrics [{string.Join(", ", metrics)}]");
            }

            string index = m.Groups[2].Value;
            IEnumerable<int> positions = index.Length == 0 ? new[] { 0 }
                : index == "other" ? Enumerable.Range(0, values.Length).Where(c => !NamedIndices(expected, name).Contains(c))
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

    private static HashSet<int> NamedIndices(JsonObject expected, string name)
        => expected.Select(pair => KeyRegex().Match(pair.Key))
            .Where(m => m.Success && m.Groups[1].Value == name && int.TryParse(m.Groups[2].Value, out _))
            .Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

    [GeneratedRegex(@"^(\w+)(?:\[(\d+|other)\])?$")]
    private static partial Regex KeyRegex();
}
