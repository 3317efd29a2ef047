using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// Generated images of a red disc and a blue box on a grey background, with index masks (0 background, 1 disc, 2 box,
/// the box drawn over the disc): the class of a pixel is its colour, up to noise, so a head on colour features can
/// separate them exactly.
/// </summary>
internal sealed class HeadTrainingDataset : IDisposable
{
    public static readonly string[] Classes = ["background", "disc", "box"];

    private readonly TempDirectory _folder = new();

    public HeadTrainingDataset(int count, int height, int width, int seed)
    {
        var random = new Random(seed);
        Rows = new Paths[count];
        for (int i = 0; i < count; i++)
        {
            int cx = random.Next(width / 4, 3 * width / 4), cy = random.Next(height / 4, 3 * height / 4), r = random.Next(height / 8, height / 4);
            int bx = random.Next(0, width / 2), by = random.Next(0, height / 2), bw = random.Next(width / 6, width / 2), bh = random.Next(height / 6, height / 2);
            using var image = new Image<Rgb24>(width, height);
            using var mask = new Image<L8>(width, height);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int label = x >= bx && x < bx + bw && y >= by && y < by + bh ? 2 : ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= r * r ? 1 : 0;
                    (int red, int green, int blue) = label switch { 1 => (220, 40, 40), 2 => (40, 40, 220), _ => (90, 90, 90) };
                    int noise = random.Next(-25, 26);
                    image[x, y] = new Rgb24(Clamp(red + noise), Clamp(green + random.Next(-25, 26)), Clamp(blue - noise));
                    mask[x, y] = new L8((byte)label);
                }
            }

            string name = $"img{i:D2}";
            Rows[i] = new Paths { ImagePath = _folder.File(name + ".png"), MaskPath = _folder.File(name + "_mask.png") };
            image.SaveAsPng(Rows[i].ImagePath);
            mask.SaveAsPng(Rows[i].MaskPath);
        }
    }

    public Paths[] Rows { get; }

    public void Dispose() => _folder.Dispose();

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    public sealed class Paths
    {
        public string ImagePath { get; set; } = string.Empty;

        public string MaskPath { get; set; } = string.Empty;
    }
}
