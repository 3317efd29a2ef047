using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace LossComparison;

/// <summary>Grouped bars of mIoU and rare-class IoU per loss, drawn with filled rectangles only.</summary>
public static class Chart
{
    private const int Width = 1480, Height = 460, Left = 60, Right = 20, Top = 50, Bottom = 80;
    private static readonly Rgba32 MeanColour = new(52, 101, 164), RareColour = new(230, 120, 30);
    private static readonly Rgba32 Ink = new(40, 40, 40), Grid = new(220, 220, 220);

    public static void Save(ComparisonResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var image = new Image<Rgba32>(Width, Height, new Rgba32(255, 255, 255));
        int plotHeight = Height - Top - Bottom;
        int baseline = Top + plotHeight;
        for (int tick = 0; tick <= 4; tick++)
        {
            int y = baseline - (tick * plotHeight / 4);
            Fill(image, Left, y, Width - Left - Right, 1, tick == 0 ? Ink : Grid);
            string label = (tick / 4.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
            TinyFont.Draw(image, label, Left - 8 - TinyFont.Width(label, 2), y - 5, 2, Ink);
        }

        int groups = result.Runs.Count;
        int groupWidth = (Width - Left - Right) / Math.Max(1, groups);
        int bar = groupWidth * 7 / 20;
        for (int g = 0; g < groups; g++)
        {
            LossRun run = result.Runs[g];
            int x = Left + (g * groupWidth) + ((groupWidth - (2 * bar)) / 2);
            Bar(image, x, bar, baseline, plotHeight, run.MeanIou, MeanColour);
            Bar(image, x + bar, bar, baseline, plotHeight, run.RareIou, RareColour);
            // A clear gap between neighbouring labels: wrap well inside the group.
            IReadOnlyList<string> lines = Wrap(ChartLabel(run.Loss), groupWidth - 12);
            int scale = lines.All(l => TinyFont.Width(l, 2) <= groupWidth - 4) ? 2 : 1;
            for (int l = 0; l < lines.Count; l++)
            {
                TinyFont.Draw(image, lines[l], Left + (g * groupWidth) + ((groupWidth - TinyFont.Width(lines[l], scale)) / 2), baseline + 12 + (l * 14), scale, Ink);
            }
        }

        Fill(image, Left, 16, 14, 14, MeanColour);
        TinyFont.Draw(image, "MIOU", Left + 20, 18, 2, Ink);
        Fill(image, Left + 90, 16, 14, 14, RareColour);
        TinyFont.Draw(image, "RARE CLASS IOU (TEST SET)", Left + 110, 18, 2, Ink);
        image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Palette });
    }

    /// <summary>Fills a rectangle, clipped to the image.</summary>
    public static void Fill(Image<Rgba32> image, int x, int y, int width, int height, Rgba32 colour)
    {
        ArgumentNullException.ThrowIfNull(image);
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(image.Width, x + width), y1 = Math.Min(image.Height, y + height);
        for (int row = y0; row < y1; row++)
        {
            for (int column = x0; column < x1; column++)
            {
                image[column, row] = colour;
            }
        }
    }

    private static void Bar(Image<Rgba32> image, int x, int width, int baseline, int plotHeight, double value, Rgba32 colour)
    {
        double shown = double.IsFinite(value) ? Math.Clamp(value, 0, 1) : 0;
        int height = (int)Math.Round(shown * plotHeight);
        Fill(image, x + 1, baseline - height, width - 2, height, colour);
        string label = double.IsFinite(value) ? value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "NAN";
        TinyFont.Draw(image, label, x + ((width - TinyFont.Width(label, 2)) / 2), baseline - height - 14, 2, Ink);
    }

    /// <summary>Greedy word wrap at the large scale: breaks at spaces and after hyphens.</summary>
    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        string line = "";
        foreach (string word in text.Replace("-", "- ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string joined = line.Length == 0 ? word : line.EndsWith('-') ? line + word : line + " " + word;
            if (line.Length > 0 && TinyFont.Width(joined, 2) > width)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = joined;
            }
        }

        lines.Add(line);
        return lines;
    }

    // The font has no Greek letters, accents or lower case: the chart names each loss by its label's head (before " (").
    private static string ChartLabel(string loss)
    {
        string head = loss.Replace('á', 'a').Replace("α·", "", StringComparison.Ordinal);
        int cut = head.IndexOf(" (", StringComparison.Ordinal);
        head = cut > 0 ? head[..cut] : head;
        return head.Replace(", INVERSE-SQRT WEIGHTS", " ISQRT W.", StringComparison.OrdinalIgnoreCase)
            .Replace(", MEDIAN-FREQUENCY WEIGHTS", " MEDIAN W.", StringComparison.OrdinalIgnoreCase)
            .Replace("GEN. WASSERSTEIN DICE", "WASSERSTEIN DICE", StringComparison.OrdinalIgnoreCase);
    }
}
