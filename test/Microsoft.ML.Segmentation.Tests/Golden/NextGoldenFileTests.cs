using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Golden;

/// <summary>
/// The shared/golden/next files whose features exist (sliding-window inference, the issue-15 losses, calibration)
/// through the runner's handlers, in-process: every case passes, none is left unsupported, and the case count is the
/// file's, so a handler that silently drops cases fails too. `.ci/run` runs the same files through the runner.
/// </summary>
[TestClass]
public sealed class NextGoldenFileTests
{
    [TestMethod]
    [DataRow("monai_sliding_window_inference.json", 42)]
    [DataRow("kervadec_boundary_loss.json", 10)]
    [DataRow("mmseg_boundary_loss.json", 3)]
    [DataRow("mmseg_ohem.json", 8)]
    [DataRow("monai_cldice_loss.json", 10)]
    [DataRow("monai_generalized_wasserstein_dice_loss.json", 24)]
    [DataRow("monai_unified_focal_loss.json", 8)]
    [DataRow("monai_calibration_error.json", 22)]
    [DataRow("torchmetrics_calibration_error.json", 14)]
    public void EveryCasePasses(string file, int cases)
    {
        string path = Path.Combine(SharedData.RequireDirectory(Path.Combine("golden", "next")), file);
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"Skipped: {path} does not exist.");
        }

        List<GoldenResult> results = GoldenRunner.RunFile(path, null).ToList();
        string notPassed = string.Join(Environment.NewLine, results.Where(r => r.Outcome.Status != GoldenStatus.Passed).Select(r => $"{r.CaseId}: {r.Outcome.Status} {r.Outcome.Message}"));
        Assert.AreEqual(cases, results.Count, "cases in the file");
        Assert.IsTrue(results.All(r => r.Outcome.Status == GoldenStatus.Passed), notPassed);
    }
}
