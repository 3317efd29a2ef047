using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Deterministic RGB PNGs for the scoring benchmarks: noisy discs and boxes on a noisy background of one random colour
/// per image, in the style of the LR-ASPP fixture's scenes; the noise also makes the files compress like photographs
/// rather than like flat fills (PNG decoding cost depends on the content). The fixture model as shipped predicts
/// background almost everywhere (see FixtureModelTests' ignored reference test), so its mask sums are near 0.
/// </summary>
internal static class SyntheticImages
{
    /// <summary>Writes <paramref name="count"/> images <c>image_000.png</c>… into <paramref name="folder"/> and returns their paths in order.</summary>
    public static string[] Write(string folder, int count, int width, int height, int seed = 1234)
    {
        Directory.CreateDirectory(folder);
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            paths[i] = Path.Combine(folder, $"image_{i:D3}.png");
            using Image<Rgb24> image = Draw(new Random(seed + i), width, height);
            image.SaveAsPng(paths[i]);
        }

        return paths;
    }

    private static Image<Rgb24> Draw(Random random, int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        var background = new Rgb24((byte)random.Next(40, 216), (byte)random.Next(40, 216), (byte)random.Next(40, 216));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = Noisy(random, background, 35);
            }
        }

        int shapes = random.Next(2, 6);
        for (int s = 0; s < shapes; s++)
        {
            var colour = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            int cx = random.Next(width), cy = random.Next(height), r = random.Next(12, Math.Max(13, Math.Min(width, height) / 4));
            bool disc = random.Next(2) == 0;
            for (int y = Math.Max(0, cy - r); y < Math.Min(height, cy + r); y++)
            {
                for (int x = Math.Max(0, cx - r); x < Math.Min(width, cx + r); x++)
                {
                    if (!disc || ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < r * r)
                    {
                        image[x, y] = Noisy(random, colour, 17);
                    }
                }
            }
        }

        return image;
    }

    private static Rgb24 Noisy(Random random, Rgb24 colour, int amplitude) => new(
        (byte)Math.Clamp(colour.R + random.Next(-amplitude, amplitude + 1), 0, 255),
        (byte)Math.Clamp(colour.G + random.Next(-amplitude, amplitude + 1), 0, 255),
        (byte)Math.Clamp(colour.B + random.Next(-amplitude, amplitude + 1), 0, 255));
}
