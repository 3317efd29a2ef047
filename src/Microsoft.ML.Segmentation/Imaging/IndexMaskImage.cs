using System;
using System.Collections.Generic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// An index mask filled row by row and saved as PNG, without a full-image label array: 8-bit grayscale (1 byte a
/// pixel) when every value fits 0..255, 16-bit otherwise, as <see cref="MaskWriter"/> writes (which fills one of these
/// from its label array, so both give the same files). Tiled prediction of very large images writes its rows here.
/// </summary>
/// <remarks>Thread safety: not thread-safe; fill and save on one thread.</remarks>
public sealed class IndexMaskImage : IDisposable
{
    private readonly Image<L8>? _bytes;
    private readonly Image<L16>? _words;
    private readonly int _classCount;
    private readonly int? _ignoreIndex;

    /// <summary>Creates an empty (all 0) mask.</summary>
    /// <param name="width">Width in pixels; 1 or more.</param>
    /// <param name="height">Height in pixels; 1 or more.</param>
    /// <param name="classCount">Number of classes; 1..65535. More than 256 classes give a 16-bit PNG.</param>
    /// <param name="ignoreIndex">The label of ignored pixels, written as itself; <see langword="null"/> for none. Default: 255; must lie outside the classes and in 0..65535.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the class count is out of range.</exception>
    /// <exception cref="ArgumentException">The ignore index lies inside the classes or outside 0..65535.</exception>
    public IndexMaskImage(int width, int height, int classCount, int? ignoreIndex = Palettes.IgnoreIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, ushort.MaxValue);
        if (ignoreIndex is int ignore && (ignore < classCount || ignore > ushort.MaxValue))
        {
            throw new ArgumentException($"ignoreIndex ({ignore}) must lie outside classes 0..{classCount - 1} and in 0..65535; use 255, 65535 or null.", nameof(ignoreIndex));
        }

        _classCount = classCount;
        _ignoreIndex = ignoreIndex;
        Width = width;
        Height = height;
        if (Math.Max(classCount - 1, ignoreIndex ?? 0) <= byte.MaxValue)
        {
            _bytes = new Image<L8>(width, height);
        }
        else
        {
            _words = new Image<L16>(width, height);
        }
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Whether the PNG is 16-bit (more than 256 values).</summary>
    public bool IsSixteenBit => _words is not null;

    /// <summary>Sets row <paramref name="y"/> to <paramref name="labels"/>.</summary>
    /// <param name="y">The row, 0 at the top.</param>
    /// <param name="labels">One label per column, each a class or the ignore index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is outside the mask.</exception>
    /// <exception cref="ArgumentException"><paramref name="labels"/> is not <see cref="Width"/> long, or a label is out of range (the message gives the value and pixel).</exception>
    public void SetRow(int y, ReadOnlySpan<int> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        if (labels.Length != Width)
        {
            throw new ArgumentException($"labels holds {labels.Length} values; a row of the {Width}x{Height} mask needs {Width}.", nameof(labels));
        }

        if (_bytes is not null)
        {
            Span<L8> row = _bytes.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < row.Length; x++)
            {
                row[x] = new L8((byte)CheckLabel(labels[x], x, y));
            }
        }
        else
        {
            Span<L16> row = _words!.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < row.Length; x++)
            {
                row[x] = new L16((ushort)CheckLabel(labels[x], x, y));
            }
        }
    }

    /// <summary>Saves the mask as a grayscale index PNG (overwritten; the folder must exist).</summary>
    /// <param name="path">The PNG file.</param>
    public void SaveIndexPng(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_bytes is not null)
        {
            _bytes.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        else
        {
            _words!.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        }
    }

    /// <summary>
    /// Saves the mask as an RGB colour PNG through <paramref name="colormap"/>, one row at a time from the stored labels;
    /// see <see cref="MaskWriter.SaveColorPng"/> for the colours.
    /// </summary>
    /// <param name="path">The PNG file (overwritten; the folder must exist).</param>
    /// <param name="colormap">Colours as <c>0xRRGGBB</c>; <see langword="null"/> for <see cref="Palettes.PascalVocColormap"/>.</param>
    /// <param name="ignoreIndex">The label coloured as ignored; <see langword="null"/> for none. Default: 255.</param>
    /// <exception cref="ArgumentException">The colormap is invalid, or a label has no colour.</exception>
    public void SaveColorPng(string path, IReadOnlyList<int>? colormap = null, int? ignoreIndex = Palettes.IgnoreIndex)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        MaskColoring coloring = MaskColoring.Create(colormap, ignoreIndex);
        var labels = new int[Width];
        using var image = new Image<Rgb24>(Width, Height);
        for (int y = 0; y < Height; y++)
        {
            ReadRow(y, labels);
            coloring.ColorRow(labels, image.DangerousGetPixelRowMemory(y).Span, y);
        }

        image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
    }

    /// <summary>Releases the pixels.</summary>
    public void Dispose()
    {
        _bytes?.Dispose();
        _words?.Dispose();
    }

    private void ReadRow(int y, Span<int> labels)
    {
        if (_bytes is not null)
        {
            Span<L8> row = _bytes.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < row.Length; x++)
            {
                labels[x] = row[x].PackedValue;
            }
        }
        else
        {
            Span<L16> row = _words!.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < row.Length; x++)
            {
                labels[x] = row[x].PackedValue;
            }
        }
    }

    private int CheckLabel(int label, int x, int y)
    {
        if ((uint)label < (uint)_classCount || label == _ignoreIndex)
        {
            return label;
        }

        throw new ArgumentException($"Label {label} at pixel ({x}, {y}) is outside classes 0..{_classCount - 1} and is not the ignore index ({_ignoreIndex?.ToString() ?? "none"}).", "labels");
    }
}
