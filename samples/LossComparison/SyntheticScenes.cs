namespace LossComparison;

/// <summary>
/// Generated, class-imbalanced scenes: a noisy grey background, large striped blue regions (frequent), orange
/// checkered discs (medium) and a few small magenta dots (rare, under 1 % of the pixels). Each class has its own
/// colour and texture so that a linear head on ImageNet features can separate them; what stays hard is the rare
/// class's size and count, which is what the losses are compared on.
/// </summary>
public static class SyntheticScenes
{
    public const int Background = 0;
    public const int Frequent = 1;
    public const int Medium = 2;
    public const int Rare = 3;

    public static IReadOnlyList<string> ClassNames { get; } = ["background", "frequent", "medium", "rare"];

    /// <summary>The first index of the test scenes, far past any training set, so no test scene repeats a training one.</summary>
    public const int TestIndexOffset = 1_000_000;

    /// <summary>Generates scenes <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 of the seed's sequence.</summary>
    /// <returns>Planar RGB 0..255 images <c>[3,size,size]</c> and their label maps.</returns>
    public static (List<float[]> Images, List<int[]> Labels) Generate(int count, int size, int seed, int first = 0)
    {
        var images = new List<float[]>(count);
        var labels = new List<int[]>(count);
        for (int i = first; i < first + count; i++)
        {
            // Not HashCode.Combine: it is salted per process, and the scenes must be the same on every run.
            (float[] image, int[] label) = One(size, new Random(unchecked((seed * 1_000_003) + i)));
            images.Add(image);
            labels.Add(label);
        }

        return (images, labels);
    }

    /// <summary>The fraction of all pixels of each class.</summary>
    public static double[] Fractions(IReadOnlyList<int[]> labels)
    {
        var counts = new long[ClassNames.Count];
        long total = 0;
        foreach (int[] map in labels)
        {
            foreach (int label in map)
            {
                counts[label]++;
            }

            total += map.Length;
        }

        return counts.Select(c => (double)c / total).ToArray();
    }

    private static (float[] Image, int[] Labels) One(int size, Random random)
    {
        var labels = new int[size * size];

        // Sizes scale with the image so that the quick 64×64 run keeps roughly the same class fractions.
        double scale = size / 128.0;
        for (int r = 0; r < 2; r++)
        {
            Ellipse(labels, size, Frequent, random.NextDouble() * size, random.NextDouble() * size,
                (30 + (random.NextDouble() * 20)) * scale, (24 + (random.NextDouble() * 16)) * scale);
        }

        int mediums = 2 + random.Next(3);
        for (int m = 0; m < mediums; m++)
        {
            double radius = (7 + (random.NextDouble() * 5)) * scale;
            Ellipse(labels, size, Medium, random.NextDouble() * size, random.NextDouble() * size, radius, radius);
        }

        // Rare dots are 5–7 px across whatever the image size: small against the stride-4 feature grid.
        int rares = random.Next(4);
        for (int d = 0; d < rares; d++)
        {
            double radius = 2.5 + random.NextDouble();
            Ellipse(labels, size, Rare, 4 + (random.NextDouble() * (size - 8)), 4 + (random.NextDouble() * (size - 8)), radius, radius);
        }

        var image = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int p = (y * size) + x;
                (double red, double green, double blue) = Colour(labels[p], x, y, random);
                image[p] = Clamp(red);
                image[plane + p] = Clamp(green);
                image[(2 * plane) + p] = Clamp(blue);
            }
        }

        return (image, labels);
    }

    private static (double Red, double Green, double Blue) Colour(int label, int x, int y, Random random)
    {
        double noise = (random.NextDouble() - 0.5) * 50;
        (double red, double green, double blue) = label switch
        {
            Frequent => (y / 3) % 2 == 0 ? (50, 80, 190) : (90, 120, 220),
            Medium => ((x / 4) + (y / 4)) % 2 == 0 ? (230, 150, 40) : (180, 100, 30),
            Rare => (225, 40, 200),
            _ => (115, 115, 100),
        };

        // The rare dots are nearly flat: their colour, not a texture they are too small to show, identifies them.
        double amount = label == Rare ? noise / 3 : noise;
        return (red + amount, green + amount, blue + amount);
    }

    private static void Ellipse(int[] labels, int size, int label, double cx, double cy, double rx, double ry)
    {
        int y0 = Math.Max(0, (int)Math.Floor(cy - ry)), y1 = Math.Min(size - 1, (int)Math.Ceiling(cy + ry));
        int x0 = Math.Max(0, (int)Math.Floor(cx - rx)), x1 = Math.Min(size - 1, (int)Math.Ceiling(cx + rx));
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                if ((dx * dx) + (dy * dy) <= 1)
                {
                    labels[(y * size) + x] = label;
                }
            }
        }
    }

    private static float Clamp(double value) => (float)Math.Clamp(value, 0, 255);
}
