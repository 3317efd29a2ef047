using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Golden;

/// <summary>
/// The MONAI clDice, generalized Wasserstein Dice and asymmetric unified focal vectors (shared/golden/next) through the
/// runner's handlers, in-process: every case passes, none is left unsupported.
/// </summary>
[TestClass]
public sealed class ClDiceWassersteinUnifiedFocalGoldenTests
{
    [TestMethod]
    [DataRow("monai_cldice_loss.json", 10)]
    [DataRow("monai_generalized_wasserstein_dice_loss.json", 24)]
    [DataRow("monai_unified_focal_loss.json", 8)]
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
