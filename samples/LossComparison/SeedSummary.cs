using System.Globalization;
using System.Text;

namespace LossComparison;

/// <summary>
/// The same comparison over several seeds, one row per loss: one seed can flatter a loss that fails on others, so the
/// spread and the count of runs that never predict the rare class matter as much as the mean.
/// </summary>
public static class SeedSummary
{
    public static string Markdown(IReadOnlyList<ComparisonResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("No results to summarise.", nameof(results));
        }

        var text = new StringBuilder();
        IFormatProvider invariant = CultureInfo.InvariantCulture;
        string seeds = string.Join(", ", results.Select(r => r.Settings.Seed));
        text.AppendLine(invariant, $"| loss | mIoU mean (range) | rare IoU mean (range) | seeds where the rare class is never predicted (of {results.Count}: {seeds}) |");
        text.AppendLine("|---|---|---|---:|");
        for (int i = 0; i < results[0].Runs.Count; i++)
        {
            LossRun[] runs = results.Select(r => r.Runs[i]).ToArray();
            double[] mean = runs.Select(r => r.MeanIou).ToArray();
            double[] rare = runs.Select(r => r.RareIou).ToArray();
            int never = runs.Count(r => r.RarePredictedPixels == 0);
            text.AppendLine(invariant, $"| {runs[0].Loss} | {mean.Average():F3} ({mean.Min():F3}–{mean.Max():F3}) | {rare.Average():F3} ({rare.Min():F3}–{rare.Max():F3}) | {never} |");
        }

        return text.ToString();
    }
}
