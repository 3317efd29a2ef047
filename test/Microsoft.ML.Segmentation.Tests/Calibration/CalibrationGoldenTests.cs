using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Calibration;

/// <summary>
/// MONAI's and torchmetrics' calibration vectors (shared/golden/next) through the runner's handlers, in-process: every
/// case passes, none is left unsupported.
/// </summary>
[TestClass]
public sealed class CalibrationGoldenTests
{
    [TestMethod]
    [DataRow("monai_calibration_error.json", 22)]
    [DataRow("torchmetrics_calibration_error.json", 14)]
    public void EveryCalibrationCasePasses(string file, int cases)
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
