using System;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Decodes one mask file into class indices at its own size, row by row, then checks the values.</summary>
internal static class MaskDecoder
{
    /// <summary>Decodes <paramref name="data"/>; into <paramref name="reuse"/> (overwritten) when it has exactly the mask's pixel count.</summary>
    public static LabelMap Decode(ReadOnlySpan<byte> data, string source, MaskOptions options, int[]? reuse = null)
    {
        // The common index mask (8-bit gray or palette PNG, not interlaced, no EXIF): one inflate that also proves the
        // file whole, instead of the completeness guard's inflate and ImageSharp's. No EXIF chunk: nothing to orient.
        if (options.Format == MaskFormat.Index && PngRgbDecoder.TryDecodeIndexMask(data, options.MaxPixels, out int[] fast, out int fastWidth, out int fastHeight, reuse))
        {
            Check(fast, fastWidth, source, options);
            return new LabelMap(fast, fastWidth, fastHeight);
        }

        byte[]? indexCoded = options.Format == MaskFormat.Index ? PngPalette.TryRewrite(data) : null;
        using Image image = indexCoded is null ? ImageDecoding.Load(data, source, options.MaxPixels, out _) : ImageDecoding.Load(indexCoded, source, options.MaxPixels, out _);
        if (options.AutoOrient)
        {
            image.Mutate(x => x.AutoOrient());
        }

        int width = image.Width, height = image.Height;
        int[] labels = reuse?.Length == width * height ? reuse : new int[width * height]; // every reader writes every pixel
        switch (options.Format)
        {
            case MaskFormat.Index when indexCoded is not null:
                ReadPaletteIndices(image, labels);
                break;
            case MaskFormat.Index:
                ReadIndex(image, source, labels);
                break;
            case MaskFormat.Binary:
                ReadBinary(image, labels);
                break;
            default:
                ReadColor(image, options, source, labels);
                break;
        }

        Check(labels, width, source, options);
        return new LabelMap(labels, width, height);
    }

    private static void ReadIndex(Image image, string source, int[] labels)
    {
        int width = image.Width;
        switch (image)
        {
            case Image<L8> gray:
                for (int y = 0; y < gray.Height; y++)
                {
                    Span<L8> row = gray.DangerousGetPixelRowMemory(y).Span;
                    Span<int> target = labels.AsSpan(y * width, width);
                    for (int x = 0; x < row.Length; x++)
                    {
                        target[x] = row[x].PackedValue;
                    }
                }

                return;
            case Image<L16> gray16:
                for (int y = 0; y < gray16.Height; y++)
                {
                    Span<L16> row = gray16.DangerousGetPixelRowMemory(y).Span;
                    Span<int> target = labels.AsSpan(y * width, width);
                    for (int x = 0; x < row.Length; x++)
                    {
                        target[x] = row[x].PackedValue;
                    }
                }

                return;
            case Image<La32> grayAlpha16:
                for (int y = 0; y < grayAlpha16.Height; y++)
                {
                    Span<La32> row = grayAlpha16.DangerousGetPixelRowMemory(y).Span;
                    Span<int> target = labels.AsSpan(y * width, width);
                    for (int x = 0; x < row.Length; x++)
                    {
                        target[x] = row[x].L;
                    }
                }

                return;
            default:
                using (Image<Rgb24> rgb = image.CloneAs<Rgb24>())
                {
                    for (int y = 0; y < rgb.Height; y++)
                    {
                        Span<Rgb24> row = rgb.DangerousGetPixelRowMemory(y).Span;
                        Span<int> target = labels.AsSpan(y * width, width);
                        for (int x = 0; x < row.Length; x++)
                        {
                            Rgb24 p = row[x];
                            if (p.R != p.G || p.G != p.B)
                            {
                                ImagingThrowHelper.ThrowNotGray(source, p.R, p.G, p.B, x, y);
                            }

                            target[x] = p.R;
                        }
                    }
                }

                return;
        }
    }

    /// <summary>Reads the red channel of a PNG whose palette entry i was rewritten to (i, 0, 0): the palette index.</summary>
    private static void ReadPaletteIndices(Image image, int[] labels)
    {
        using Image<Rgba32> rgba = image.CloneAs<Rgba32>();
        int width = rgba.Width;
        for (int y = 0; y < rgba.Height; y++)
        {
            Span<Rgba32> row = rgba.DangerousGetPixelRowMemory(y).Span;
            Span<int> target = labels.AsSpan(y * width, width);
            for (int x = 0; x < row.Length; x++)
            {
                target[x] = row[x].R;
            }
        }
    }

    private static void ReadBinary(Image image, int[] labels)
    {
        using Image<L8> gray = image as Image<L8> is { } l8 ? l8.Clone() : image.CloneAs<L8>();
        int width = gray.Width;
        for (int y = 0; y < gray.Height; y++)
        {
            Span<L8> row = gray.DangerousGetPixelRowMemory(y).Span;
            Span<int> target = labels.AsSpan(y * width, width);
            for (int x = 0; x < row.Length; x++)
            {
                target[x] = row[x].PackedValue >> 7;
            }
        }
    }

    private static void ReadColor(Image image, MaskOptions options, string source, int[] labels)
    {
        MaskColorTable table = options.ColorTable!;
        using Image<Rgb24> rgb = image.CloneAs<Rgb24>();
        int width = rgb.Width;
        Rgb24 lastColor = default;
        int lastClass = -1;
        for (int y = 0; y < rgb.Height; y++)
        {
            Span<Rgb24> row = rgb.DangerousGetPixelRowMemory(y).Span;
            Span<int> target = labels.AsSpan(y * width, width);
            for (int x = 0; x < row.Length; x++)
            {
                Rgb24 p = row[x];
                if (lastClass < 0 || !p.Equals(lastColor))
                {
                    if (!table.TryGetClass(p.R, p.G, p.B, out lastClass))
                    {
                        if (!options.UnknownColorsAsIgnore)
                        {
                            ImagingThrowHelper.ThrowUnknownColor(source, p.R, p.G, p.B, x, y);
                        }

                        lastClass = options.IgnoreIndex!.Value;
                    }

                    lastColor = p;
                }

                target[x] = lastClass;
            }
        }
    }

    private static void Check(int[] labels, int width, string source, MaskOptions options)
    {
        if (options.ClassCount is not int classCount)
        {
            return;
        }

        int ignore = options.IgnoreIndex ?? -1;
        for (int i = 0; i < labels.Length; i++)
        {
            int value = labels[i];
            if ((uint)value >= (uint)classCount && value != ignore)
            {
                ImagingThrowHelper.ThrowLabelOutOfRange(source, value, i % width, i / width, classCount, options.IgnoreIndex);
            }
        }
    }
}
