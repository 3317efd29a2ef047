using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// MONAI's sliding-window vectors (shared/golden/next, not yet in the runner's default folder) through the runner's
/// handler, in-process: every case passes, none is left unsupported.
/// </summary>
[TestClass]
public sealed class SlidingWindowGoldenTests
{
    [TestMethod]
    public void EveryMonaiSlidingWindowCasePasses()
    {
        string path = Path.Combine(SharedData.RequireDirectory(Path.Combine("golden", "next")), "monai_sliding_window_inference.json");
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"Skipped: {path} does not exist.");
        }

        List<GoldenResult> results = GoldenRunner.RunFile(path, null).ToList();
        string notPassed = string.Join(Environment.NewLine, results.Where(r => r.Outcome.Status != GoldenStatus.Passed).Select(r => $"{r.CaseId}: {r.Outcome.Status} {r.Outcome.Message}"));
        Assert.AreEqual(42, results.Count, "cases in the file");
        Assert.IsTrue(results.All(r => r.Outcome.Status == GoldenStatus.Passed), notPassed);
    }
}
