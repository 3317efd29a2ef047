using System;
using System.Collections.Generic;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>A checked colormap that turns rows of labels into RGB pixels; shared by every colour-mask writer.</summary>
internal sealed class MaskColoring
{
    private readonly Rgb24[] _colors;
    private readonly Rgb24 _ignoreColor;
    private readonly int? _ignoreIndex;

    private MaskColoring(Rgb24[] colors, int? ignoreIndex)
    {
        _colors = colors;
        _ignoreIndex = ignoreIndex;
        _ignoreColor = ignoreIndex is int ig && ig >= 0 && ig < colors.Length ? colors[ig] : new Rgb24(255, 255, 255);
    }

    /// <summary>Checks <paramref name="colormap"/> (<see langword="null"/>: PASCAL VOC) and unpacks its colours.</summary>
    public static MaskColoring Create(IReadOnlyList<int>? colormap, int? ignoreIndex)
    {
        colormap ??= Palettes.PascalVocColormap;
        if (colormap.Count == 0)
        {
            throw new ArgumentException("colormap is empty; give one 0xRRGGBB colour per class, or null for the PASCAL VOC colormap.", nameof(colormap));
        }

        var colors = new Rgb24[colormap.Count];
        for (int i = 0; i < colors.Length; i++)
        {
            int c = colormap[i];
            if ((uint)c > 0xFFFFFF)
            {
                throw new ArgumentException($"colormap[{i}] (0x{c:X}) is outside 0..0xFFFFFF; pack colours as 0xRRGGBB.", nameof(colormap));
            }

            colors[i] = new Rgb24((byte)(c >> 16), (byte)(c >> 8), (byte)c);
        }

        return new MaskColoring(colors, ignoreIndex);
    }

    /// <summary>Colours one row; <paramref name="y"/> is only for the error message.</summary>
    public void ColorRow(ReadOnlySpan<int> labels, Span<Rgb24> row, int y)
    {
        for (int x = 0; x < labels.Length; x++)
        {
            int label = labels[x];
            if (label == _ignoreIndex)
            {
                row[x] = _ignoreColor;
            }
            else if ((uint)label < (uint)_colors.Length)
            {
                row[x] = _colors[label];
            }
            else
            {
                throw new ArgumentException($"Label {label} at pixel ({x}, {y}) has no colour: the colormap has {_colors.Length} entries and the ignore index is {_ignoreIndex?.ToString() ?? "none"}.", "labels");
            }
        }
    }
}
