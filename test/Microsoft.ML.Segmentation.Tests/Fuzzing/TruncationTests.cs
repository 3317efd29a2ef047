using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>
/// Files cut short: ImageSharp 2.1.13 decodes many of them without error and fills the missing pixels with zeros. For
/// every format the loaders read, each cut of an encoded image (at every PNG chunk boundary, inside every IDAT chunk,
/// and at evenly spaced and final byte positions for every format) must either be refused with an
/// <see cref="InvalidDataException"/> or decode to exactly the pixels of the whole file, never to other pixels; and no
/// whole file (generated, the fuzz seeds, the shared photos and fixtures) may be refused.
/// </summary>
[TestClass]
public sealed class TruncationTests
{
    private const int Width = 61, Height = 37;

    /// <summary>Whole files of a noisy image, one per format and variant; PNGs split into many small IDAT chunks, as libpng and PIL write them.</summary>
    private static IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        using Image<Rgb24> rgb = Noise(Width, Height, seed: 3);
        using Image<L8> gray = rgb.CloneAs<L8>();
        yield return ("png rgb, 1 IDAT", TestImages.Png(rgb));
        yield return ("png rgb, 256-byte IDATs", PngChunks.SplitIdat(TestImages.Png(rgb), 256));
        yield return ("png gray, 100-byte IDATs", PngChunks.SplitIdat(TestImages.Png(gray), 100));
        yield return ("png gray 16-bit, 300-byte IDATs", PngChunks.SplitIdat(TestImages.Encode(gray, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale }), 300));
        yield return ("png interlaced, 200-byte IDATs", PngChunks.SplitIdat(TestImages.Encode(rgb, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }), 200));
        yield return ("png palette, 64-byte IDATs", PngChunks.SplitIdat(TestImages.Encode(rgb, new PngEncoder { ColorType = PngColorType.Palette }), 64));
        yield return ("jpeg", TestImages.Encode(rgb, new JpegEncoder { Quality = 90 }));
        yield return ("jpeg gray", TestImages.Encode(gray, new JpegEncoder { Quality = 90, ColorType = JpegColorType.Luminance }));
        yield return ("bmp 24-bit", TestImages.Encode(rgb, new BmpEncoder()));
        yield return ("bmp 8-bit palette", TestImages.Encode(rgb, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 }));
        yield return ("bmp rle8", Rle8Bmp(Width, Height));
        yield return ("gif", TestImages.Encode(rgb, new GifEncoder()));
        yield return ("tga", TestImages.Encode(rgb, new TgaEncoder()));
        yield return ("tga rle", TestImages.Encode(rgb, new TgaEncoder { Compression = TgaCompression.RunLength }));
        yield return ("ppm binary", TestImages.Encode(rgb, new PbmEncoder { ColorType = PbmColorType.Rgb, Encoding = PbmEncoding.Binary }));
        yield return ("pgm plain", TestImages.Encode(gray, new PbmEncoder { ColorType = PbmColorType.Grayscale, Encoding = PbmEncoding.Plain }));
        yield return ("pbm binary", BinaryPbm(Width, Height));
        yield return ("pbm plain", TestImages.Encode(gray, new PbmEncoder { ColorType = PbmColorType.BlackAndWhite, Encoding = PbmEncoding.Plain }));
    }

    [TestMethod]
    public void EveryCutIsRefusedOrDecodesToTheWholeImage()
    {
        var loader = new SegmentationImageLoader();
        var failures = new List<string>();
        var summary = new List<string>();
        foreach ((string name, byte[] data) in Seeds())
        {
            float[] whole = loader.Load(data).Data;
            int refused = 0, identical = 0;
            foreach (int length in CutLengths(data))
            {
                try
                {
                    float[] cut = loader.Load(data.AsSpan(0, length)).Data;
                    if (cut.AsSpan().SequenceEqual(whole))
                    {
                        identical++;
                    }
                    else
                    {
                        failures.Add($"{name}: the first {length} of {data.Length} bytes decode to other pixels, with no error");
                    }
                }
                catch (InvalidDataException e)
                {
                    StringAssert.Contains(e.Message, ImageDecoding.BytesSource);
                    refused++;
                }
            }

            summary.Add($"{name} ({data.Length} B): {refused} cuts refused, {identical} decode whole");
            Assert.IsGreaterThan(0, refused, $"{name}: no cut was refused; the test would not notice a missing check");
        }

        Console.WriteLine(string.Join(Environment.NewLine, summary));
        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [TestMethod]
    public void TruncatedMaskIsRefusedNamingTheFile()
    {
        // The case: a mask PNG of several IDAT chunks that lost its last 40 bytes decoded as a mask whose
        // bottom rows are class 0, and mIoU dropped from 0.78 to 0.47 with no error.
        using var folder = new TempDirectory();
        using Image<L8> labels = TestImages.Gray(128, 96, (x, y) => (byte)((x / 16 + y / 16) % 3));
        byte[] whole = PngChunks.SplitIdat(TestImages.Png(labels), 64);
        string path = folder.File("mask.png");
        File.WriteAllBytes(path, whole.AsSpan(0, whole.Length - 40).ToArray());
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = 3 });

        var error = Assert.ThrowsExactly<InvalidDataException>(() => masks.Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "truncated");
        CollectionAssert.AreEqual(masks.Load(whole).Labels, labels.CloneAs<L8>() is var copy ? Labels(copy) : null);
    }

    [TestMethod]
    public void TruncatedImageIsRefusedNamingTheFileThroughEveryLoadPath()
    {
        using var folder = new TempDirectory();
        using Image<Rgb24> rgb = Noise(64, 48, seed: 9);
        byte[] whole = PngChunks.SplitIdat(TestImages.Png(rgb), 512);
        string path = folder.File("photo.png");
        File.WriteAllBytes(path, whole.AsSpan(0, whole.Length - 40).ToArray());
        var loader = new SegmentationImageLoader();

        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(path)).Message, path);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => loader.LoadBatch([path])).Message, path);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(path, new float[3 * 64 * 48])).Message, path);
        using var stream = File.OpenRead(path);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(stream)).Message, ImageDecoding.StreamSource);
    }

    [TestMethod]
    public void FuzzSeedsAndGeneratedFilesAreNotRefused()
    {
        var loader = new SegmentationImageLoader();
        foreach ((string name, byte[] data) in Seeds())
        {
            Assert.AreEqual(Width * Height * 3, loader.Load(data).Data.Length, name);
        }

        // Sizes that make odd row lengths and bit-packed rows (1- and 4-bit PNG, BMP padding); small interlaced PNGs
        // have their own test (InterlacedPngTests).
        foreach ((int w, int h) in new[] { (1, 1), (3, 2), (7, 5), (33, 1), (1, 33) })
        {
            using Image<Rgb24> small = Noise(w, h, seed: w * h);
            using Image<L8> gray = small.CloneAs<L8>();
            foreach (byte[] data in new[]
            {
                PngChunks.SplitIdat(TestImages.Png(small), 7),
                TestImages.Encode(gray, new PngEncoder { BitDepth = PngBitDepth.Bit1, ColorType = PngColorType.Grayscale }),
                TestImages.Encode(gray, new PngEncoder { BitDepth = PngBitDepth.Bit4, ColorType = PngColorType.Palette }),
                TestImages.Encode(small, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel32 }),
                TestImages.Encode(small, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 }), // its 1-bit encoder throws on these sizes
                TestImages.Encode(small, new JpegEncoder()),
                TestImages.Encode(small, new TgaEncoder { Compression = TgaCompression.RunLength }),
                TestImages.Encode(gray, new PbmEncoder { ColorType = PbmColorType.BlackAndWhite, Encoding = PbmEncoding.Plain }),
            })
            {
                Assert.AreEqual(w * h * 3, loader.Load(data).Data.Length, $"{w}x{h}");
            }
        }
    }

    [TestMethod]
    public void SharedPhotosAndFixturesAreNotRefused()
    {
        string root = SharedData.RequireDirectory("fixtures");
        string[] files = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Assert.IsGreaterThan(20, files.Length);
        var loader = new SegmentationImageLoader();
        foreach (string file in files)
        {
            Assert.IsGreaterThan(0, loader.Load(file).Data.Length, file);
        }
    }

    /// <summary>Every chunk boundary and 1, half and all-but-1 bytes into every chunk body (PNG); elsewhere ~80 even cuts and the last 40 bytes one by one.</summary>
    private static IEnumerable<int> CutLengths(byte[] data)
    {
        var lengths = new SortedSet<int>();
        if (data.AsSpan().StartsWith(PngChunks.Signature))
        {
            int offset = 8;
            foreach ((string _, byte[] body) in PngChunks.Split(data))
            {
                lengths.UnionWith([offset, offset + 8 + 1, offset + 8 + (body.Length / 2), offset + 8 + body.Length - 1, offset + 8 + body.Length]);
                offset += 12 + body.Length;
            }
        }

        for (int i = 1; i <= 80; i++)
        {
            lengths.Add(data.Length * i / 81);
        }

        for (int cut = 1; cut <= 40; cut++)
        {
            lengths.Add(data.Length - cut);
        }

        return lengths.Where(l => l > 0 && l < data.Length);
    }

    private static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)((x * 4) + random.Next(8)), (byte)(y * 6));
            }
        }

        return image;
    }

    private static int[] Labels(Image<L8> image)
    {
        var labels = new int[image.Width * image.Height];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                labels[(y * image.Width) + x] = image[x, y].PackedValue;
            }
        }

        image.Dispose();
        return labels;
    }

    [TestMethod]
    public void ImageSharpsOwnBinaryPbmIsRefusedAsIncomplete()
    {
        // ImageSharp 2.1.13's P4 encoder writes 79 bytes of pixels for a 61x37 bitmap where the format needs
        // 37 rows of 8 bytes, and its decoder reads the rest as zeros: the file is incomplete, whoever wrote it.
        using Image<L8> gray = Noise(Width, Height, seed: 3).CloneAs<L8>();
        byte[] data = TestImages.Encode(gray, new PbmEncoder { ColorType = PbmColorType.BlackAndWhite, Encoding = PbmEncoding.Binary });
        Assert.IsLessThan(9 + (8 * Height), data.Length);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(data)).Message, "end at byte 305");
    }

    /// <summary>A binary PBM (P4) as the format defines it: each row packed to whole bytes, most significant bit first.</summary>
    private static byte[] BinaryPbm(int width, int height)
    {
        byte[] header = System.Text.Encoding.ASCII.GetBytes($"P4\n{width} {height}\n");
        var pixels = new byte[(width + 7) / 8 * height];
        new Random(11).NextBytes(pixels);
        return [.. header, .. pixels];
    }

    /// <summary>
    /// An 8-bit RLE BMP written by hand (ImageSharp encodes none): a 4-colour palette, each row a run of index 1,
    /// a literal run of 3 indices, and runs to the row's end, then end of line; end of bitmap after the last row.
    /// </summary>
    private static byte[] Rle8Bmp(int width, int height)
    {
        var pixels = new List<byte>();
        for (int y = 0; y < height; y++)
        {
            int left = width;
            pixels.AddRange([(byte)5, (byte)1]);
            left -= 5;
            pixels.AddRange([0, 3, (byte)(y % 4), 2, 3, 0]); // literal of 3, padded to 4 bytes
            left -= 3;
            while (left > 0)
            {
                int run = Math.Min(left, 9);
                pixels.AddRange([(byte)run, (byte)((y + left) % 4)]);
                left -= run;
            }

            pixels.AddRange([0, 0]);
        }

        pixels.AddRange([0, 1]);
        const int paletteOffset = 14 + 40;
        int pixelOffset = paletteOffset + (4 * 4);
        var file = new byte[pixelOffset + pixels.Count];
        "BM"u8.CopyTo(file);
        BitConverter.TryWriteBytes(file.AsSpan(2), file.Length);
        BitConverter.TryWriteBytes(file.AsSpan(10), pixelOffset);
        BitConverter.TryWriteBytes(file.AsSpan(14), 40);
        BitConverter.TryWriteBytes(file.AsSpan(18), width);
        BitConverter.TryWriteBytes(file.AsSpan(22), height);
        BitConverter.TryWriteBytes(file.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(file.AsSpan(28), (short)8);
        BitConverter.TryWriteBytes(file.AsSpan(30), 1); // BI_RLE8
        BitConverter.TryWriteBytes(file.AsSpan(34), pixels.Count);
        BitConverter.TryWriteBytes(file.AsSpan(46), 4);
        byte[][] palette = [[0, 0, 0, 0], [255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0]];
        for (int i = 0; i < palette.Length; i++)
        {
            palette[i].CopyTo(file, paletteOffset + (4 * i));
        }

        pixels.CopyTo(file, pixelOffset);
        return file;
    }
}
