using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// mmseg <c>Accuracy</c>/<c>accuracy()</c>: top-k accuracy in percent through <see cref="TopKAccuracy"/>. mmseg's own
/// glue is kept here: the result is 100·(hits + ε)/(counted + ε) with ε = float32 epsilon (so 100 when every pixel is
/// ignored), and 0 for an empty prediction.
/// </summary>
internal sealed class MmsegAccuracyHandler : IGoldenHandler
{
    private const double Float32Epsilon = 1.1920928955078125e-07;

    public bool CanRun(GoldenFile file)
        => file.IsLibrary("mmseg") && file.Callable.Contains("Accuracy", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        GoldenTensor pred = MetricCaseInputs.Tensor(testCase, "pred");
        GoldenTensor target = MetricCaseInputs.Tensor(testCase, "target");
        // topk may be a tuple: mmseg then returns one accuracy per k, in order.
        int[] ks = p["topk"] is JsonArray list ? list.Select(n => (int)GoldenValues.Number(n)).ToArray() : new[] { (int)(MetricCaseInputs.Number(p, "topk") ?? 1) };
        if (pred.Shape.Length == 0 || pred.Shape[0] == 0)
        {
            return GoldenOutcome.Compare(testCase, ks.Select(_ => 0.0).ToArray());
        }

        // pred [N,C,…] scores, target [N,…] labels: one "image" per sample keeps NCHW order.
        SegmentationShape shape = MetricCaseInputs.Nchw(pred);
        int? ignore = MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : null;
        int[] labels = MetricCaseInputs.Labels(target);
        double[] result = ks.Select(k =>
        {
            (long hits, long counted) = TopKAccuracy.Count<double>(pred.Data, shape, labels, k, MetricCaseInputs.Number(p, "thresh"), ignore);
            return 100.0 * (hits + Float32Epsilon) / (counted + Float32Epsilon);
        }).ToArray();
        return GoldenOutcome.Compare(testCase, result);
    }
}
