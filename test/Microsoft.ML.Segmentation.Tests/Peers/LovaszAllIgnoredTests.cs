using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// A batch whose pixels are all ignored: Berman's lovasz_losses.py and smp return <c>probas * 0</c> /
/// <c>logits.sum() * 0</c> from their flat functions before anything else (even before the reference's "Sigmoid output
/// possible only with 1 class" check), so the value is 0 and the gradient all zeros.
/// </summary>
[TestClass]
public sealed class LovaszAllIgnoredTests
{
    [TestMethod]
    public void SmpPresets_AllIgnored_GiveZeroWithZeroGradient()
    {
        var multi = new SegmentationShape(2, 3, 2, 2);
        var binary = new SegmentationShape(2, 1, 2, 2);
        int[] ignored = Enumerable.Repeat(255, multi.PixelCount).ToArray();
        double[] dense = Enumerable.Repeat(255.0, multi.ElementCount).ToArray();
        foreach (bool perImage in new[] { false, true })
        {
            AssertZero(Smp.LovaszLoss("multiclass", perImage, ignoreIndex: 255), multi, TestTarget.FromLabels(ignored));
            AssertZero(Smp.LovaszLoss("binary", perImage, ignoreIndex: 255), binary, TestTarget.FromLabels(ignored));
            AssertZero(Smp.LovaszLoss("multilabel", perImage, ignoreIndex: 255), multi, TestTarget.FromDense(dense));
            AssertZero(Mmseg.LovaszLoss(classes: "all", perImage: perImage, reduction: perImage ? "mean" : "none"), multi, TestTarget.FromLabels(ignored));
            AssertZero(Mmseg.LovaszLoss(classes: "present", perImage: perImage, reduction: perImage ? "mean" : "none"), multi, TestTarget.FromLabels(ignored));
        }
    }

    [TestMethod]
    [DataRow("present", false)]
    [DataRow("present", true)]
    [DataRow("all", false)]
    [DataRow("all", true)]
    public void ReferenceHandler_OneChannelAllIgnored_GivesZero(string classes, bool perImage)
    {
        using var directory = new TempDirectory();
        string api = $"lovasz_softmax(probas, labels, classes='{classes}', per_image={(perImage ? "True" : "False")}, ignore=255)";
        string json = $$"""
            {"library": "LovaszSoftmax (reference)", "callable": "lovasz_softmax", "tolerance": {"rtol": 0, "atol": 1e-12},
             "cases": [
               {"id": "all_ignored", "api": "{{api}}",
                "inputs": {"probas": [[[0.2, 0.7], [0.9, 0.4]], [[0.1, 0.5], [0.3, 0.8]]], "labels": [[[255, 255], [255, 255]], [[255, 255], [255, 255]]]},
                "expected": 0.0},
               {"id": "one_valid", "api": "{{api}}",
                "inputs": {"probas": [[[0.2, 0.7], [0.9, 0.4]], [[0.1, 0.5], [0.3, 0.8]]], "labels": [[[255, 1], [255, 255]], [[255, 255], [255, 255]]]},
                "expected": 0.0}
             ]}
            """;
        File.WriteAllText(directory.File("lovasz_probe.json"), json);
        GoldenSummary summary = GoldenRunner.Run(directory.Path, null);
        GoldenResult[] results = summary.Results.ToArray();
        Assert.AreEqual(GoldenStatus.Passed, results.Single(r => r.CaseId == "all_ignored").Outcome.Status, results[0].Outcome.Message);

        // With a valid pixel the reference raises ValueError for a string `classes` over one channel: not a number to match.
        Assert.AreEqual(GoldenStatus.Unsupported, results.Single(r => r.CaseId == "one_valid").Outcome.Status);
    }

    private static void AssertZero(ISegmentationLoss loss, SegmentationShape shape, TestTarget target)
    {
        double[] logits = GradientCheck.RandomInput(new Random(21), shape.ElementCount);
        double[] gradient = Enumerable.Repeat(double.NaN, shape.ElementCount).ToArray();
        Assert.AreEqual(0.0, loss.Compute<double>(logits, shape, target.Double(), gradient), 0.0, loss.Name);
        Assert.IsTrue(gradient.All(g => g == 0), $"{loss.Name}: gradient not all zero");
    }
}
