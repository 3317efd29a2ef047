using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LossComparison;

/// <summary>The comparison as a Markdown table and as JSON.</summary>
public static class ResultReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A class absent from both truth and prediction has no IoU; NaN must still serialise.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One row per loss: mIoU, rare-class IoU, each class's IoU, pixel accuracy, training time, best epoch.</summary>
    public static string Markdown(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        IFormatProvider invariant = CultureInfo.InvariantCulture;
        text.Append("| loss | mIoU | rare IoU | ");
        text.Append(string.Join(" | ", result.ClassNames.Select(n => $"IoU {n}")));
        text.AppendLine(" | pixel acc. | train s | best epoch |");
        text.Append("|---|---:|---:|");
        text.Append(string.Concat(result.ClassNames.Select(_ => "---:|")));
        text.AppendLine("---:|---:|---:|");
        foreach (LossRun run in result.Runs)
        {
            text.Append(invariant, $"| {run.Loss} | {run.MeanIou:F4} | {run.RareIou:F4} | ");
            text.Append(string.Join(" | ", run.ClassIou.Select(v => v.ToString("F4", invariant))));
            text.AppendLine(invariant, $" | {run.PixelAccuracy:F4} | {run.TrainSeconds:F1} | {run.BestEpoch} |");
        }

        return text.ToString();
    }

    /// <summary>Class pixel fractions of a set, e.g. <c>background 52.1 %, …</c>.</summary>
    public static string Fractions(IReadOnlyList<string> names, double[] fractions) =>
        string.Join(", ", names.Select((n, k) => string.Create(CultureInfo.InvariantCulture, $"{n} {fractions[k] * 100:F2} %")));

    public static void WriteJson(ComparisonResult result, string path) => File.WriteAllText(path, JsonSerializer.Serialize(result, Json));
}
