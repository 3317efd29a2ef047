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
        using var image = new IndexMaskImage(width, height, classCount, ignoreIndex);
        for (int y = 0; y < height; y++)
        {
            image.SetRow(y, labels.Slice(y * width, width));
        }

        image.SaveIndexPng(path);
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
        MaskColoring coloring = MaskColoring.Create(colormap, ignoreIndex);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            coloring.ColorRow(labels.Slice(y * width, width), image.DangerousGetPixelRowMemory(y).Span, y);
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
}
