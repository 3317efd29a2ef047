using Microsoft.ML.Segmentation.Losses;

namespace ImbalancedLosses;

/// <summary>
/// A deterministic, class-imbalanced scene: a large background, a road band, a few cars and one small pedestrian,
/// with the logits of a model that is good on frequent classes and poor on rare ones (it under-predicts the
/// pedestrian, the typical failure the seed document describes).
/// </summary>
internal sealed class ImbalancedScene
{
    public static readonly string[] ClassNames = { "background", "road", "car", "pedestrian" };

    public ImbalancedScene(int batch = 4, int height = 96, int width = 128, int seed = 7)
    {
        Shape = new SegmentationShape(batch, ClassNames.Length, height, width);
        var random = new Random(seed);
        Labels = new int[Shape.PixelCount];
        Logits = new float[Shape.ElementCount];
        int s = Shape.PixelsPerImage;
        for (int n = 0; n < batch; n++)
        {
            Span<int> image = Labels.AsSpan(n * s, s);
            DrawScene(image, height, width, random);
            for (int i = 0; i < s; i++)
            {
                int truth = image[i];
                for (int k = 0; k < Shape.Classes; k++)
                {
                    // Confident and right on background and road; often wrong on the pedestrian.
                    double strength = truth switch { 0 => 3.0, 1 => 2.5, 2 => 1.2, _ => 0.2 };
                    double bias = k switch { 0 => 1.0, 1 => 0.4, _ => -0.5 };
                    double logit = bias + (k == truth ? strength : 0) + (random.NextDouble() * 1.6) - 0.8;
                    Logits[(((n * Shape.Classes) + k) * s) + i] = (float)logit;
                }
            }
        }
    }

    public SegmentationShape Shape { get; }

    public int[] Labels { get; }

    public float[] Logits { get; }

    /// <summary>Share of pixels per class.</summary>
    public double[] Frequencies()
    {
        var counts = new double[Shape.Classes];
        foreach (int label in Labels)
        {
            counts[label]++;
        }

        return counts.Select(c => c / Labels.Length).ToArray();
    }

    private static void DrawScene(Span<int> image, int height, int width, Random random)
    {
        image.Clear();
        int roadTop = (height * 2 / 3) + random.Next(-4, 5);
        for (int y = roadTop; y < height; y++)
        {
            image.Slice(y * width, width).Fill(1);
        }

        for (int car = 0; car < 2; car++)
        {
            int cw = random.Next(14, 22), ch = random.Next(7, 11);
            int cx = random.Next(0, width - cw), cy = roadTop - (ch / 2);
            Fill(image, width, cx, cy, cw, ch, 2);
        }

        int px = random.Next(4, width - 8), py = roadTop - 12;
        Fill(image, width, px, py, 3, 10, 3);
    }

    private static void Fill(Span<int> image, int width, int x0, int y0, int w, int h, int label)
    {
        int height = image.Length / width;
        for (int y = Math.Max(0, y0); y < Math.Min(height, y0 + h); y++)
        {
            for (int x = Math.Max(0, x0); x < Math.Min(width, x0 + w); x++)
            {
                image[(y * width) + x] = label;
            }
        }
    }
}
