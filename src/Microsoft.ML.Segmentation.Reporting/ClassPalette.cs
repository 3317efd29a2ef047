using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>
/// The PASCAL VOC colour map: class k's colour spreads k's bits over the high bits of R, G and B, so neighbouring
/// classes differ strongly and any class count has distinct colours (up to 256).
/// </summary>
internal static class ClassPalette
{
    public static Rgb24 Color(int label)
    {
        int r = 0, g = 0, b = 0, c = label & 0xFF;
        for (int j = 0; j < 8; j++)
        {
            r |= ((c >> 0) & 1) << (7 - j);
            g |= ((c >> 1) & 1) << (7 - j);
            b |= ((c >> 2) & 1) << (7 - j);
            c >>= 3;
        }

        return new Rgb24((byte)r, (byte)g, (byte)b);
    }

    /// <summary>The colour as CSS hex, for the legend in the HTML.</summary>
    public static string Css(int label)
    {
        Rgb24 c = Color(label);
        return $"#{c.R:x2}{c.G:x2}{c.B:x2}";
    }
}
