using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace QuickStart;

/// <summary>
/// The QuickStart's small generated dataset: 128×128 scenes of a lightly noisy beige background, blue striped
/// ellipses, orange checkered discs and flat green triangles, with 8-bit index masks (pixel value = class). Every
/// scene comes from its own seeded <see cref="Random"/>, so <see cref="Write"/> rebuilds the committed PNGs bit for bit.
/// </summary>
public static class ShapesDataset
{
    public const int Size = 128;
    public const int TrainCount = 32;
    public const int TestCount = 8;

    /// <summary>The generator's seed; changing it (or anything below) changes the committed files.</summary>
    public const int Seed = 2026;

    public static IReadOnlyList<string> ClassNames { get; } = ["background", "stripes", "checker", "triangle"];

    /// <summary>The file stem of scene <paramref name="index"/>; train scenes come first, then test.</summary>
    public static string Stem(int index) => $"scene{index:D2}";

    /// <summary>Writes <c>train/images</c>, <c>train/masks</c>, <c>test/images</c> and <c>test/masks</c> under <paramref name="dataFolder"/>.</summary>
    public static void Write(string dataFolder)
    {
        for (int i = 0; i < TrainCount + TestCount; i++)
        {
            string split = Path.Combine(dataFolder, i < TrainCount ? "train" : "test");
            (byte[] rgb, byte[] labels) = Generate(i);
            Directory.CreateDirectory(Path.Combine(split, "images"));
            Directory.CreateDirectory(Path.Combine(split, "masks"));
            using (Image<Rgb24> image = Image.LoadPixelData<Rgb24>(rgb, Size, Size))
            {
                image.SaveAsPng(Path.Combine(split, "images", Stem(i) + ".png"), Encoder(PngColorType.Rgb));
            }

            using Image<L8> mask = Image.LoadPixelData<L8>(labels, Size, Size);
            mask.SaveAsPng(Path.Combine(split, "masks", Stem(i) + ".png"), Encoder(PngColorType.Grayscale));
        }
    }

    /// <summary>Scene <paramref name="index"/>: interleaved RGB bytes and one class index per pixel, row-major.</summary>
    public static (byte[] Rgb, byte[] Labels) Generate(int index)
    {
        // Not HashCode.Combine: it is salted per process. Random(int) keeps its algorithm across .NET versions.
        var random = new Random(unchecked((Seed * 1_000_003) + index));
        var labels = new byte[Size * Size];
        Ellipse(labels, 1, random.Next(24, 104), random.Next(24, 104), random.Next(22, 40), random.Next(16, 30));
        int discs = 1 + random.Next(3);
        for (int d = 0; d < discs; d++)
        {
            int radius = random.Next(8, 16);
            Ellipse(labels, 2, random.Next(radius, Size - radius), random.Next(radius, Size - radius), radius, radius);
        }

        int triangles = random.Next(3);
        for (int t = 0; t < triangles; t++)
        {
            Triangle(labels, 3, random.Next(16, 112), random.Next(16, 112), random.Next(12, 22), random);
        }

        var rgb = new byte[3 * Size * Size];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int p = (y * Size) + x;
                (int r, int g, int b) = labels[p] switch
                {
                    1 => (y / 3) % 2 == 0 ? (50, 80, 190) : (100, 130, 225),
                    2 => ((x / 4) + (y / 4)) % 2 == 0 ? (230, 150, 40) : (170, 95, 30),
                    3 => (60, 170, 70),
                    _ => (200, 190, 160),
                };

                // One grey noise value per pixel, and small: enough texture to be real, few bits for the PNG.
                int noise = random.Next(-6, 7);
                rgb[3 * p] = Clamp(r + noise);
                rgb[(3 * p) + 1] = Clamp(g + noise);
                rgb[(3 * p) + 2] = Clamp(b + noise);
            }
        }

        return (rgb, labels);
    }

    // Fixed encoder settings and no metadata, so the bytes depend only on the pixels (and the pinned ImageSharp).
    private static PngEncoder Encoder(PngColorType colorType) => new()
    {
        ColorType = colorType,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.BestCompression,
        FilterMethod = PngFilterMethod.Adaptive,
        InterlaceMethod = PngInterlaceMode.None,
        IgnoreMetadata = true,
    };

    private static void Ellipse(byte[] labels, byte label, int cx, int cy, int rx, int ry)
    {
        for (int y = Math.Max(0, cy - ry); y <= Math.Min(Size - 1, cy + ry); y++)
        {
            for (int x = Math.Max(0, cx - rx); x <= Math.Min(Size - 1, cx + rx); x++)
            {
                double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                if ((dx * dx) + (dy * dy) <= 1)
                {
                    labels[(y * Size) + x] = label;
                }
            }
        }
    }

    // An upright or downward isosceles triangle of half-width h around (cx, cy), in integer arithmetic.
    private static void Triangle(byte[] labels, byte label, int cx, int cy, int h, Random random)
    {
        bool up = random.Next(2) == 0;
        for (int dy = -h; dy <= h; dy++)
        {
            int y = cy + dy;
            int row = up ? dy + h : h - dy; // 0 at the apex, 2h at the base
            int half = row / 2;
            for (int x = Math.Max(0, cx - half); x <= Math.Min(Size - 1, cx + half); x++)
            {
                if (y is >= 0 and < Size)
                {
                    labels[(y * Size) + x] = label;
                }
            }
        }
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);
}
