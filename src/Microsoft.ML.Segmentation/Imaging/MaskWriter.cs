using System;
using System.Collections.Generic;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Saves label maps as PNG files: index masks (the pixel value is the class, as <see cref="SegmentationMaskLoader"/>
/// reads them with <see cref="MaskFormat.Index"/>) and colour masks through a colormap (read back with
/// <see cref="MaskFormat.Color"/> and the matching <see cref="MaskColorTable"/>).
/// </summary>
/// <remarks>
/// Labels are row-major <c>[height,width]</c>. Index masks are 8-bit grayscale when every value fits 0..255
/// (the class count ≤ 256 and the ignore index ≤ 255), 16-bit otherwise. The ignore index is written
/// as itself (255 by default), so it reads back as the loader's default ignore index.
/// <para>Thread safety: stateless; every member is thread-safe. Concurrent calls must write to different files.</para>
/// </remarks>
public static class MaskWriter
{
    /// <summary>Saves a label map as an index PNG.</summary>
    /// <param name="labels">Class per pixel, row-major; each in 0..<paramref name="classCount"/>−1 or <paramref name="ignoreIndex"/>.</param>
    /// <param name="width">Width in pixels; 1 or more.</param>
    /// <param name="height">Height in pixels; 1 or more.</param>
    /// <param name="classCount">Number of classes; 1..65535. More than 256 classes give a 16-bit PNG.</param>
    /// <param name="path">The PNG file to write (overwritten; the folder must exist).</param>
    /// <param name="ignoreIndex">The label of ignored pixels, written as itself; <see langword="null"/> for none. Default: 255; must lie outside the classes and in 0..65535.</param>
    /// <exception cref="ArgumentException">The sizes do not match the label count, the ignore index lies inside the classes, or a label is out of range (the message gives the value and pixel).</exception>
    public static void SaveIndexPng(ReadOnlySpan<int> labels, int width, int height, int classCount, string path, int? ignoreIndex = Palettes.IgnoreIndex)
    {
        Check(labels, width, height, path);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, ushort.MaxValue);
        if (ignoreIndex is int ignore && (ignore < classCount || ignore > ushort.MaxValue))
        {
            throw new ArgumentException($"ignoreIndex ({ignore}) must lie outside classes 0..{classCount - 1} and in 0..65535; use 255, 65535 or null.", nameof(ignoreIndex));
        }

        int max = Math.Max(classCount - 1, ignoreIndex ?? 0);
        if (max <= byte.MaxValue)
        {
            using var image = new Image<L8>(width, height);
            for (int y = 0; y < height; y++)
            {
                Span<L8> row = image.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < width; x++)
                {
                    row[x] = new L8((byte)CheckLabel(labels[(y * width) + x], classCount, ignoreIndex, x, y));
                }
            }

            image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        else
        {
            using var image = new Image<L16>(width, height);
            for (int y = 0; y < height; y++)
            {
                Span<L16> row = image.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < width; x++)
                {
                    row[x] = new L16((ushort)CheckLabel(labels[(y * width) + x], classCount, ignoreIndex, x, y));
                }
            }

            image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        }
    }

    /// <summary>Saves a <see cref="LabelMap"/> as an index PNG; see <see cref="SaveIndexPng(ReadOnlySpan{int}, int, int, int, string, int?)"/>.</summary>
    /// <param name="mask">The label map.</param>
    /// <param name="classCount">Number of classes; 1..65535.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="ignoreIndex">The label of ignored pixels; <see langword="null"/> for none. Default: 255.</param>
    /// <exception cref="ArgumentException">As the span overload.</exception>
    public static void SaveIndexPng(LabelMap mask, int classCount, string path, int? ignoreIndex = Palettes.IgnoreIndex)
    {
        ArgumentNullException.ThrowIfNull(mask);
        SaveIndexPng(mask.Labels, mask.Width, mask.Height, classCount, path, ignoreIndex);
    }

    /// <summary>Saves a label map as an RGB colour PNG: label <c>k</c> gets <c>colormap[k]</c>.</summary>
    /// <param name="labels">Class per pixel, row-major; each in 0..colormap length−1, or <paramref name="ignoreIndex"/>.</param>
    /// <param name="width">Width in pixels; 1 or more.</param>
    /// <param name="height">Height in pixels; 1 or more.</param>
    /// <param name="path">The PNG file to write (overwritten; the folder must exist).</param>
    /// <param name="colormap">Colours as <c>0xRRGGBB</c>, one per label; <see langword="null"/> for <see cref="Palettes.PascalVocColormap"/> (256 entries, so <see cref="Palettes.PascalVoc"/> reads classes 0..20 back). Default: <see langword="null"/>.</param>
    /// <param name="ignoreIndex">The label of ignored pixels; <see langword="null"/> for none. Default: 255. Ignored pixels take <c>colormap[ignoreIndex]</c> when the colormap has that entry (the VOC border colour (224, 224, 192) for 255), white otherwise.</param>
    /// <exception cref="ArgumentException">The sizes do not match the label count, the colormap is empty or holds a value outside 0..0xFFFFFF, or a label has no colour (the message gives the value and pixel).</exception>
    public static void SaveColorPng(ReadOnlySpan<int> labels, int width, int height, string path, IReadOnlyList<int>? colormap = null, int? ignoreIndex = Palettes.IgnoreIndex)
    {
        Check(labels, width, height, path);
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

        Rgb24 ignoreColor = ignoreIndex is int ig && ig >= 0 && ig < colors.Length ? colors[ig] : new Rgb24(255, 255, 255);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            Span<Rgb24> row = image.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < width; x++)
            {
                int label = labels[(y * width) + x];
                if (label == ignoreIndex)
                {
                    row[x] = ignoreColor;
                }
                else if ((uint)label < (uint)colors.Length)
                {
                    row[x] = colors[label];
                }
                else
                {
                    throw new ArgumentException($"Label {label} at pixel ({x}, {y}) has no colour: the colormap has {colors.Length} entries and the ignore index is {ignoreIndex?.ToString() ?? "none"}.", nameof(labels));
                }
            }
        }

        image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
    }

    private static void Check(ReadOnlySpan<int> labels, int width, int height, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (labels.Length != (long)width * height)
        {
            throw new ArgumentException($"labels holds {labels.Length} values; a {width}x{height} mask needs {(long)width * height}.", nameof(labels));
        }
    }

    private static int CheckLabel(int label, int classCount, int? ignoreIndex, int x, int y)
    {
        if ((uint)label < (uint)classCount || label == ignoreIndex)
        {
            return label;
        }

        throw new ArgumentException($"Label {label} at pixel ({x}, {y}) is outside classes 0..{classCount - 1} and is not the ignore index ({ignoreIndex?.ToString() ?? "none"}).", "labels");
    }
}
