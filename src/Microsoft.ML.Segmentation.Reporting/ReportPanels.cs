using System;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>
/// One image's strip of four panels, side by side: the image, the truth, the prediction and the errors over the
/// image. Composed with ImageSharp: these are masks laid on pictures, not charts.
/// </summary>
internal static class ReportPanels
{
    private const int Panels = 4;

    // White, since class 0 is black in the VOC colours.
    private static readonly Rgb24 s_ignored = new(255, 255, 255);
    private static readonly Rgb24 s_wrong = new(255, 0, 0);

    /// <summary>The whole-number enlargement that brings a mask of <paramref name="height"/> rows to at least <paramref name="minimumHeight"/>.</summary>
    public static int Scale(int height, int minimumHeight) => Math.Max(1, (minimumHeight + height - 1) / height);

    /// <summary>The strip's size for an image: four panels of the enlarged mask size.</summary>
    public static (int Width, int Height) Size(SegmentationReportImage image, int minimumHeight)
    {
        int s = Scale(image.Height, minimumHeight);
        return (Panels * image.Width * s, image.Height * s);
    }

    /// <summary>Writes the strip as PNG.</summary>
    public static void Write(SegmentationReportImage image, int classes, string path, int minimumHeight)
    {
        int w = image.Width, h = image.Height;
        using Image<Rgb24> picture = LoadPicture(image);
        using var strip = new Image<Rgb24>(Panels * w, h);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = (y * w) + x;
                Rgb24 pixel = picture[x, y];
                int truth = image.Truth[i], predicted = image.Predicted[i];
                bool counted = (uint)truth < (uint)classes;
                strip[x, y] = pixel;
                strip[w + x, y] = counted ? ClassPalette.Color(truth) : s_ignored;
                strip[(2 * w) + x, y] = ClassPalette.Color(predicted);

                // Errors in red over the dimmed image, so the scene stays readable; ignored pixels are left dim.
                strip[(3 * w) + x, y] = counted && predicted != truth ? s_wrong : Dim(pixel);
            }
        }

        int scale = Scale(h, minimumHeight);
        if (scale > 1)
        {
            strip.Mutate(c => c.Resize(strip.Width * scale, strip.Height * scale, KnownResamplers.NearestNeighbor));
        }

        strip.SaveAsPng(path);
    }

    /// <summary>The image stretched to the mask size (the mask is in the model's tensor geometry), or grey without one.</summary>
    private static Image<Rgb24> LoadPicture(SegmentationReportImage image)
    {
        if (image.ImagePath is { } path && File.Exists(path))
        {
            Image<Rgb24> loaded = Image.Load<Rgb24>(path);
            if (loaded.Width != image.Width || loaded.Height != image.Height)
            {
                loaded.Mutate(c => c.Resize(image.Width, image.Height));
            }

            return loaded;
        }

        return new Image<Rgb24>(image.Width, image.Height, new Rgb24(128, 128, 128));
    }

    private static Rgb24 Dim(Rgb24 p) => new((byte)(p.R / 2), (byte)(p.G / 2), (byte)(p.B / 2));
}
