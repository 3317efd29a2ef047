using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;

namespace QuickStart;

/// <summary>The report folder: <c>metrics.json</c>, <c>per-class.txt</c>, <c>confusion.txt</c> and <c>losses.txt</c>.</summary>
public static class QuickStartReport
{
    /// <summary>
    /// Writes the metrics as JSON and the tables as text; the HTML/PNG report beside them is
    /// <see cref="QuickStartHtmlReport"/>'s, written while the scored data are alive.
    /// </summary>
    public static void WriteReport(QuickStartResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        SegmentationMetrics m = result.Metrics;
        var json = new
        {
            classNames = m.ClassNames,
            images = m.ImageCount,
            pixels = m.PixelCount,
            meanIoU = m.MeanIoU,
            meanDice = m.MeanDice,
            pixelAccuracy = m.PixelAccuracy,
            meanAccuracy = m.MeanAccuracy,
            frequencyWeightedIoU = m.FrequencyWeightedIoU,
            perClassIoU = m.PerClassIoU,
            perClassDice = m.PerClassDice,
            perClassPrecision = m.PerClassPrecision,
            perClassRecall = m.PerClassRecall,
            perClassSupport = m.PerClassSupport,
            confusion = Enumerable.Range(0, m.NumClasses)
                .Select(t => Enumerable.Range(0, m.NumClasses).Select(p => m.GetConfusionCount(t, p)).ToArray()).ToArray(),
            perImage = result.Images.Select(i => new { name = i.Name, crossEntropy = i.CrossEntropy, dice = i.Dice }),
        };
        File.WriteAllText(Path.Combine(folder, "metrics.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, "per-class.txt"), m.GetFormattedPerClassTable());
        File.WriteAllText(Path.Combine(folder, "confusion.txt"), m.GetFormattedConfusionTable());
        File.WriteAllText(Path.Combine(folder, "losses.txt"), LossTable(result.Images));
    }

    /// <summary>Per-image cross-entropy and Dice loss, one line each.</summary>
    public static string LossTable(IReadOnlyList<ImageLosses> images)
    {
        var lines = new List<string> { "image      cross-entropy      Dice" };
        lines.AddRange(images.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Name,-10}{i.CrossEntropy,15:F4}{i.Dice,10:F4}")));
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
