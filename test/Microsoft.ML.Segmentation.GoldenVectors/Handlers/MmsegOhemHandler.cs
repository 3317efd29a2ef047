using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// mmseg's <c>OhemCrossEntropy</c> (a scalar) and <c>OHEMPixelSampler</c> (its <c>seg_weight</c>, their sum and the
/// decode head's CE) through <see cref="Mmseg.OhemCrossEntropy"/> and <see cref="Mmseg.OhemPixelSampler"/>. The upstream
/// sampler tests use unseeded inputs and assert relations only: those run on seeded inputs of the shapes given.
/// </summary>
internal sealed partial class MmsegOhemHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("mmseg")
        && (file.Callable.Contains("OhemCrossEntropy", StringComparison.Ordinal) || file.Callable.Contains("OHEMPixelSampler", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase c)
        => c.Api.StartsWith("OhemCrossEntropy", StringComparison.Ordinal) ? CrossEntropy(c) : Sampler(c);

    private static GoldenOutcome CrossEntropy(GoldenCase c)
    {
        int ignore = (int)c.Number("ignore_label", 255);
        ISegmentationLoss loss = Mmseg.OhemCrossEntropy(ignore, c.Number("thres", 0.7), (int)c.Number("min_kept", 100000),
            c.Number("loss_weight", 1), c.Numbers("class_weight"));
        return GoldenOutcome.Compare(c, LossProblem.WithLabels(c.Tensor("score"), c.Tensor("target"), ignore).Compute(loss));
    }

    private static GoldenOutcome Sampler(GoldenCase c)
    {
        int ignore = (int)c.Number("context.ignore_index", 255);
        ISegmentationLoss loss = Mmseg.OhemPixelSampler(c.NumberOrNull("thresh"), (int)c.Number("min_kept", 100000), ignoreIndex: ignore);
        var ohem = (OhemCrossEntropyLoss)((IgnoreIndexLoss)loss).Inner;
        LossProblem problem = c.Inputs["seg_logit"]?["data"] is null ? Seeded(c) : LossProblem.WithLabels(c.Tensor("seg_logit"), c.Tensor("seg_label"), ignore);
        double[] weight = ohem.SelectHardPixels<double>(problem.Input, problem.Shape, problem.Target()).Select(k => k ? 1.0 : 0.0).ToArray();
        if (c.Expected is not JsonObject expected)
        {
            return Relations(c, weight, problem.Shape);
        }

        foreach ((string key, double[] actual) in new[] { ("seg_weight", weight), ("seg_weight_sum", new[] { weight.Sum() }), ("decode_head_loss", new[] { problem.Compute(loss) }) })
        {
            GoldenOutcome part = GoldenOutcome.Compare(expected[key], c.Tolerance, actual);
            if (part.Status != GoldenStatus.Passed)
            {
                return GoldenOutcome.Failed($"{key}: {part.Message}");
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"seg_weight sum {weight.Sum()}, decode_head_loss {problem.Compute(loss)}");
    }

    /// <summary>Normal logits and uniform labels of the shapes the case names (upstream draws them unseeded).</summary>
    private static LossProblem Seeded(GoldenCase c)
    {
        int[] shape = c.Inputs["seg_logit"]!["shape"]!.AsArray().Select(v => (int)GoldenValues.Number(v)).ToArray();
        var random = new Random(99);
        var logits = new double[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        var s = new SegmentationShape(shape[0], shape[1], shape[2], shape[3]);
        int[] labels = Enumerable.Range(0, s.PixelCount).Select(_ => random.Next(shape[1])).ToArray();
        return new LossProblem(logits, s, labels, 255, null);
    }

    /// <summary>Checks the "seg_weight.sum() &gt; n; seg_weight.shape == (…)" relations upstream asserts.</summary>
    private static GoldenOutcome Relations(GoldenCase c, double[] weight, SegmentationShape shape)
    {
        string text = GoldenValues.String(c.Node["expected_relation"]) ?? throw new InvalidDataException("the case has neither expected nor expected_relation");
        foreach (string relation in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            Match sum = SumRelation().Match(relation);
            Match dims = ShapeRelation().Match(relation);
            bool holds;
            if (sum.Success)
            {
                double bound = double.Parse(sum.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                holds = sum.Groups[1].Value switch { ">" => weight.Sum() > bound, "==" => weight.Sum() == bound, ">=" => weight.Sum() >= bound, _ => weight.Sum() < bound };
            }
            else if (dims.Success)
            {
                int[] expected = dims.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
                holds = expected.SequenceEqual(new[] { shape.Batch, shape.Height, shape.Width }) && weight.Length == shape.PixelCount;
            }
            else
            {
                throw new NotSupportedException($"relation '{relation}' is not mapped");
            }

            if (!holds)
            {
                return GoldenOutcome.Failed($"'{relation}' does not hold: seg_weight sum {weight.Sum()}");
            }
        }

        return new GoldenOutcome(GoldenStatus.Passed, $"{text} (seg_weight sum {weight.Sum()})");
    }

    [GeneratedRegex(@"^seg_weight\.sum\(\)\s*(>=|>|==|<)\s*([\d.]+)$")]
    private static partial Regex SumRelation();

    [GeneratedRegex(@"^seg_weight\.shape\s*==\s*\(([\d,\s]+)\)$")]
    private static partial Regex ShapeRelation();
}
