using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Reporting;
using Microsoft.ML.Segmentation.Tests.Cli;
using SixLabors.ImageSharp;
using TestCli = Microsoft.ML.Segmentation.Tests.Cli.Cli;

namespace Microsoft.ML.Segmentation.Tests.Reporting;

/// <summary><c>segml eval --report</c> end to end on a generated dataset.</summary>
[TestClass]
public sealed class EvalReportCommandTests
{
    [TestMethod]
    public void EvalWritesTheReport()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        string folder = data.Sub("report");
        (int code, string stdout, string stderr) = TestCli.Run(
            EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "bg,a,b,c", "--report", folder);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "Report written to " + Path.Combine(folder, SegmentationReport.HtmlFileName));

        var defaults = new SegmentationReportOptions();
        string[] charts = [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName, SegmentationReport.HistogramFileName];
        foreach (string chart in charts)
        {
            ReportFiles.AssertSvg(Path.Combine(folder, chart), defaults.ChartWidth, defaults.ChartHeight);
        }

        // Three images, all shown (fewer than the default worst count); each strip is four panels of the padded tensor size, enlarged.
        string[] strips = Enumerable.Range(1, 3).Select(SegmentationReport.WorstFileName).ToArray();
        foreach (string strip in strips)
        {
            using Image image = Image.Load(Path.Combine(folder, strip));
            Assert.AreEqual(0, image.Width % 4, strip);
            Assert.IsGreaterThanOrEqualTo(defaults.MinimumPanelHeight, image.Height, strip);
        }

        ReportFiles.AssertInlines(folder, [.. charts, .. strips]);
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, SegmentationReport.HtmlFileName)), "by loss");
    }

    [TestMethod]
    public void EvalWithCalibrationAddsTheReliabilityDiagram()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        string folder = data.Sub("report");
        (int code, string stdout, string stderr) = TestCli.Run(
            EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "bg,a,b,c", "--calibration", "--report", folder);
        Assert.AreEqual(0, code, stderr);

        var defaults = new SegmentationReportOptions();
        string diagram = Path.Combine(folder, SegmentationReport.ReliabilityChartFileName);
        XDocument svg = ReportFiles.AssertSvg(diagram, defaults.ChartWidth, ReliabilityChart.Height(defaults));

        // The diagram's title carries the ECE and MCE that the text report prints.
        Match line = Regex.Match(stdout, @"ECE (\d\.\d{4}), ACE \d\.\d{4}, MCE (\d\.\d{4})");
        Assert.IsTrue(line.Success, stdout);
        string title = string.Join(" ", ReportFiles.Texts(svg));
        StringAssert.Contains(title, "ECE " + line.Groups[1].Value);
        StringAssert.Contains(title, "MCE " + line.Groups[2].Value);

        string[] charts = [SegmentationReport.PerClassChartFileName, SegmentationReport.ConfusionChartFileName, SegmentationReport.ReliabilityChartFileName, SegmentationReport.HistogramFileName];
        ReportFiles.AssertInlines(folder, [.. charts, .. Enumerable.Range(1, 3).Select(SegmentationReport.WorstFileName)]);
    }
}
