using System.Globalization;
using LossComparison;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Samples;

/// <summary>
/// The LossComparison sample at its <c>--quick</c> size on the real ResNet18.onnx (skipped when the package is not
/// restored): every loss trains, is scored, and lands in the table, the JSON and the chart.
/// </summary>
[TestClass]
public sealed class LossComparisonSampleTests
{
    [TestMethod]
    public void QuickRunGivesARowOfFiniteMetricsPerLoss()
    {
        string resnet = ResNet18Path;
        ComparisonResult result = LossComparisonRunner.Run(resnet, ComparisonSettings.Quick, TextWriter.Null);
        string table = ResultReport.Markdown(result);

        string[] rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('|')).Skip(2).ToArray();
        Assert.AreEqual(LossComparisonRunner.Losses.Count, rows.Length, table);
        for (int i = 0; i < rows.Length; i++)
        {
            string[] cells = rows[i].Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.AreEqual(LossComparisonRunner.Losses[i].Label, cells[0]);
            foreach (string cell in cells.Skip(1))
            {
                double value = double.Parse(cell, CultureInfo.InvariantCulture);
                Assert.IsTrue(double.IsFinite(value), $"{cells[0]}: '{cell}' is not finite");
            }
        }

        foreach (LossRun run in result.Runs)
        {
            Assert.IsTrue(run.MeanIou is >= 0 and <= 1 && run.PixelAccuracy is > 0 and <= 1, $"{run.Loss}: mIoU {run.MeanIou}, accuracy {run.PixelAccuracy}");
        }

        string summary = SeedSummary.Markdown([result, result]);
        Assert.AreEqual(LossComparisonRunner.Losses.Count + 2, summary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, summary);

        Assert.IsTrue(result.TrainFractions[SyntheticScenes.Rare] is > 0 and < 0.02, $"rare fraction {result.TrainFractions[SyntheticScenes.Rare]}");
        string folder = Directory.CreateTempSubdirectory("segml-losscmp-").FullName;
        try
        {
            ResultReport.WriteJson(result, Path.Combine(folder, "results.json"));
            Chart.Save(result, Path.Combine(folder, "chart.png"));
            StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "results.json")), "\"rareIou\"");
            Assert.IsTrue(new FileInfo(Path.Combine(folder, "chart.png")).Length > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
