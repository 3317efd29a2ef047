using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Golden;

/// <summary>Every case in shared/golden runs through the same runner as CI (test/Microsoft.ML.Segmentation.GoldenVectors); none may fail.</summary>
[TestClass]
public sealed class GoldenVectorTests
{
    [TestMethod]
    public void NoPeerVectorFails()
    {
        string directory = SharedData.RequireDirectory("golden");
        var log = new StringWriter();
        GoldenSummary summary = GoldenRunner.Run(directory, log);
        string failures = string.Join(Environment.NewLine, summary.Results.Where(r => r.Outcome.Status == GoldenStatus.Failed).Select(r => $"{r.File} :: {r.CaseId} — {r.Outcome.Message}"));
        Assert.AreEqual(0, summary.Failed, $"{summary}{Environment.NewLine}{failures}");
        Assert.IsTrue(summary.Passed > 0, "No golden case ran.");
    }

    [TestMethod]
    public void EveryLossFileIsSupported()
    {
        string directory = SharedData.RequireDirectory("golden");
        GoldenSummary summary = GoldenRunner.Run(directory, null);
        string[] unsupportedLossFiles = summary.Results
            .Where(r => r.Outcome.Status == GoldenStatus.Unsupported)
            .Select(r => r.File)
            .Where(f => f.Contains("loss", StringComparison.Ordinal))
            .Distinct()
            .ToArray();
        Assert.AreEqual(0, unsupportedLossFiles.Length, "Loss cases left unsupported: " + string.Join(", ", unsupportedLossFiles));
    }

    [TestMethod]
    public void NonFiniteLiteralsAreRead()
    {
        string quoted = GoldenJson.QuoteNonFiniteLiterals("""{"a": [NaN, Infinity, -Infinity], "b": "NaN inside a string"}""");
        Assert.AreEqual("""{"a": ["NaN", "Infinity", "-Infinity"], "b": "NaN inside a string"}""", quoted);
    }

    [TestMethod]
    public void ToleranceFollowsAllclose()
    {
        var tolerance = new GoldenTolerance(1e-4, 1e-3);
        Assert.IsTrue(tolerance.Accepts(1.00105, 1.0));
        Assert.IsFalse(tolerance.Accepts(1.0012, 1.0));
        Assert.IsTrue(tolerance.Accepts(double.NaN, double.NaN));
        Assert.IsFalse(tolerance.Accepts(0, double.NaN));
        Assert.IsTrue(tolerance.Accepts(double.PositiveInfinity, double.PositiveInfinity));
    }
}
