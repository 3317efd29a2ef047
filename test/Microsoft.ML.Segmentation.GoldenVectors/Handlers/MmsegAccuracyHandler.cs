using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>mmseg <c>Accuracy</c>/<c>accuracy()</c> through <see cref="Mmseg.Accuracy{T}"/>.</summary>
internal sealed class MmsegAccuracyHandler : IGoldenHandler
{
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
            return GoldenOutcome.Compare(testCase, Mmseg.Accuracy<double>([], [], new SegmentationShape(1, 1, 1, 1), ks));
        }

        // pred [N,C,…] scores, target [N,…] labels: one "image" per sample keeps NCHW order.
        int? ignore = MetricCaseInputs.Number(p, "ignore_index") is double i ? (int)i : null;
        return GoldenOutcome.Compare(testCase, Mmseg.Accuracy<double>(
            pred.Data, MetricCaseInputs.Labels(target), MetricCaseInputs.Nchw(pred), ks, MetricCaseInputs.Number(p, "thresh"), ignore));
    }
}
