using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Colour tables of public segmentation datasets, for colour-coded masks.</summary>
/// <remarks>Thread safety: the tables are immutable; every member is thread-safe.</remarks>
public static class Palettes
{
    /// <summary>The ignore index the built-in tables give to border and void colours.</summary>
    public const int IgnoreIndex = 255;

    private static readonly Lazy<int[]> s_vocColormap = new(BuildVocColormap);

    /// <summary>
    /// The 256-entry PASCAL VOC colormap (<c>0xRRGGBB</c> per index), the bit-interleaved map of the VOC devkit's
    /// <c>labelcolormap.m</c>: index 0 black, 1 (128, 0, 0), 2 (0, 128, 0), …, 255 (224, 224, 192).
    /// </summary>
    public static IReadOnlyList<int> PascalVocColormap => s_vocColormap.Value;

    /// <summary>PASCAL VOC 2012: the 21 class colours → 0..20 and the white-ish border (224, 224, 192) → 255 (ignore).</summary>
    public static MaskColorTable PascalVoc { get; } = BuildPascalVoc();

    /// <summary>
    /// Cityscapes: the official colours of the 19 train classes (road, sidewalk, building, wall, fence, pole, traffic
    /// light, traffic sign, vegetation, terrain, sky, person, rider, car, truck, bus, train, motorcycle, bicycle) → 0..18,
    /// and the void classes' colours (unlabeled black, dynamic, ground, parking, rail track, guard rail, bridge, tunnel,
    /// caravan, trailer) → 255 (ignore), as <c>cityscapesscripts/helpers/labels.py</c> defines them.
    /// </summary>
    public static MaskColorTable Cityscapes { get; } = BuildCityscapes();

    private static int[] BuildVocColormap()
    {
        var map = new int[256];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 7; j >= 0; j--)
            {
                r |= (c & 1) << j;
                g |= ((c >> 1) & 1) << j;
                b |= ((c >> 2) & 1) << j;
                c >>= 3;
            }

            map[i] = (r << 16) | (g << 8) | b;
        }

        return map;
    }

    private static MaskColorTable BuildPascalVoc()
    {
        int[] map = BuildVocColormap();
        var table = new Dictionary<int, int>();
        for (int i = 0; i < 21; i++)
        {
            table.Add(map[i], i);
        }

        table.Add(map[255], IgnoreIndex);
        return new MaskColorTable(table);
    }

    private static MaskColorTable BuildCityscapes()
    {
        (byte R, byte G, byte B)[] train =
        [
            (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153), (153, 153, 153),
            (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60),
            (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32),
        ];
        (byte R, byte G, byte B)[] ignored =
        [
            (0, 0, 0), (111, 74, 0), (81, 0, 81), (250, 170, 160), (230, 150, 140), (180, 165, 180),
            (150, 100, 100), (150, 120, 90), (0, 0, 90), (0, 0, 110),
        ];
        var table = new Dictionary<int, int>();
        for (int i = 0; i < train.Length; i++)
        {
            table.Add(MaskColorTable.Rgb(train[i].R, train[i].G, train[i].B), i);
        }

        foreach ((byte r, byte g, byte b) in ignored)
        {
            table.Add(MaskColorTable.Rgb(r, g, b), IgnoreIndex);
        }

        return new MaskColorTable(table);
    }
}
