using System.Buffers.Binary;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Fuzzing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// The single-inflate PNG path (<see cref="PngRgbDecoder"/>) against ImageSharp's own <c>Image.Load&lt;Rgb24&gt;</c> of
/// the same bytes, pixel for pixel, on files ImageSharp encodes with every filter, every colour type in scope and odd
/// widths; and the files it must decline so that the guarded ImageSharp path decodes them or reports their errors.
/// </summary>
[TestClass]
public sealed class PngFastPathTests
{
    private static readonly PngFilterMethod[] s_filters =
        [PngFilterMethod.None, PngFilterMethod.Sub, PngFilterMethod.Up, PngFilterMethod.Average, PngFilterMethod.Paeth, PngFilterMethod.Adaptive];

    [TestMethod]
    [DataRow(PngColorType.Grayscale, 0)]
    [DataRow(PngColorType.Rgb, 2)]
    [DataRow(PngColorType.Palette, 3)]
    [DataRow(PngColorType.GrayscaleWithAlpha, 4)]
    [DataRow(PngColorType.RgbWithAlpha, 6)]
    public void DecodesLikeImageSharpForEveryFilterAndOddWidths(PngColorType colorType, int colorTypeByte)
    {
        int checkedFiles = 0;
        foreach (int width in new[] { 1, 3, 16, 257 })
        {
            foreach (bool smooth in new[] { false, true })
            {
                using Image<Rgba32> source = RandomImage(width, 9, seed: (width * 31) + (int)colorType, smooth, colorType == PngColorType.Palette);
                foreach (PngFilterMethod filter in s_filters)
                {
                    byte[] png = TestImages.Encode(source, new PngEncoder { ColorType = colorType, BitDepth = PngBitDepth.Bit8, FilterMethod = filter });
                    Assert.AreEqual(colorTypeByte, png[25], $"the encoder wrote colour type {png[25]} for {colorType}");
                    Assert.AreEqual(8, png[24]);
                    AssertDecodesLikeImageSharp(png, $"{colorType}, {filter}, width {width}, smooth {smooth}");
                    checkedFiles++;
                }
            }
        }

        Assert.AreEqual(4 * 2 * s_filters.Length, checkedFiles);
    }

    [TestMethod]
    public void AlphaIsDroppedNotComposited()
    {
        using var image = new Image<Rgba32>(2, 1);
        image[0, 0] = new Rgba32(200, 100, 50, 0);
        image[1, 0] = new Rgba32(10, 220, 130, 77);
        byte[] png = TestImages.Encode(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 });
        using Image<Rgb24> decoded = PngRgbDecoder.TryDecode(png, Configuration.Default, long.MaxValue) ?? throw new AssertFailedException("declined an RGBA PNG");
        Assert.AreEqual(new Rgb24(200, 100, 50), decoded[0, 0]);
        Assert.AreEqual(new Rgb24(10, 220, 130), decoded[1, 0]);
        AssertDecodesLikeImageSharp(png, "RGBA with alpha 0 and 77");
    }

    [TestMethod]
    [DataRow(PngColorType.Grayscale)]
    [DataRow(PngColorType.Rgb)]
    public void TransparencyChunkIsIgnoredLikeImageSharp(PngColorType colorType)
    {
        using Image<Rgba32> source = RandomImage(17, 5, seed: 3, smooth: false, fewColours: false);
        byte[] png = TestImages.Encode(source, new PngEncoder { ColorType = colorType, BitDepth = PngBitDepth.Bit8 });
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(png);
        byte[] trns = colorType == PngColorType.Grayscale ? [0, png[41]] : [0, 7, 0, 8, 0, 9];
        chunks.Insert(chunks.FindIndex(c => c.Type == "IDAT"), ("tRNS", trns));
        AssertDecodesLikeImageSharp(PngChunks.Join(chunks), $"{colorType} with tRNS");
    }

    [TestMethod]
    public void ManyIdatChunksDecodeLikeImageSharp()
    {
        using Image<Rgba32> source = RandomImage(257, 33, seed: 5, smooth: true, fewColours: false);
        byte[] png = PngChunks.SplitIdat(TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb, FilterMethod = PngFilterMethod.Adaptive }), 97);
        Assert.IsGreaterThan(10, PngChunks.Split(png).Count(c => c.Type == "IDAT"));
        AssertDecodesLikeImageSharp(png, "97-byte IDATs");
    }

    [TestMethod]
    public void EveryCutIsDeclinedAndTheLoaderRefusesIt()
    {
        using Image<Rgba32> source = RandomImage(31, 20, seed: 11, smooth: true, fewColours: false);
        byte[] png = PngChunks.SplitIdat(TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb }), 64);
        var loader = new SegmentationImageLoader();
        for (int length = 1; length < png.Length - 12; length++)
        {
            Assert.IsNull(PngRgbDecoder.TryDecode(png.AsSpan(0, length), Configuration.Default, long.MaxValue), $"a cut at {length} of {png.Length} bytes decoded");
            if (length > 33 && length < png.Length - 40)
            {
                InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(png.AsSpan(0, length)), $"cut at {length}");
                StringAssert.Contains(e.Message, ImageDecoding.BytesSource);
            }
        }
    }

    [TestMethod]
    public void CorruptDataIsDeclinedAndReportedByTheGuardedPath()
    {
        using Image<Rgba32> source = RandomImage(40, 40, seed: 13, smooth: false, fewColours: false);
        byte[] png = TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb });
        var loader = new SegmentationImageLoader();

        byte[] badCrc = png.ToArray();
        badCrc[PngChunkOffset(png, "IDAT") + 20] ^= 0x40; // body changed, CRC not
        Assert.IsNull(PngRgbDecoder.TryDecode(badCrc, Configuration.Default, long.MaxValue));
        Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(badCrc));

        // A valid CRC over zlib data that stops early: the guard's wording, with the file name.
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(png);
        int idat = chunks.FindIndex(c => c.Type == "IDAT");
        chunks[idat] = ("IDAT", chunks[idat].Body.AsSpan(0, chunks[idat].Body.Length / 2).ToArray());
        byte[] shortData = PngChunks.Join(chunks);
        Assert.IsNull(PngRgbDecoder.TryDecode(shortData, Configuration.Default, long.MaxValue));
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(shortData));
        StringAssert.Contains(e.Message, "is truncated or incomplete");
        StringAssert.Contains(e.Message, ImageDecoding.BytesSource);
    }

    [TestMethod]
    public void PaletteIndexPastThePaletteIsDeclined()
    {
        byte[] png = TestImages.PalettePng(3, 2, [0, 1, 0, 1, 2, 1], [(1, 2, 3), (4, 5, 6)]);
        Assert.IsNull(PngRgbDecoder.TryDecode(png, Configuration.Default, long.MaxValue));
        byte[] valid = TestImages.PalettePng(3, 2, [0, 1, 0, 1, 1, 1], [(1, 2, 3), (4, 5, 6)]);
        AssertDecodesLikeImageSharp(valid, "hand-written palette PNG");
    }

    /// <summary>The index-mask path checks every index of a row against the palette, in the vectors and in the tail.</summary>
    [TestMethod]
    [DataRow(0)]
    [DataRow(17)]
    [DataRow(33)]
    public void IndexMaskWithAnIndexPastThePaletteIsDeclined(int column)
    {
        const int width = 34, height = 2;
        byte[] indices = Enumerable.Range(0, width * height).Select(i => (byte)(i % 3)).ToArray();
        (byte, byte, byte)[] palette = [(1, 2, 3), (4, 5, 6), (7, 8, 9)];
        Assert.IsTrue(PngRgbDecoder.TryDecodeIndexMask(TestImages.PalettePng(width, height, indices, palette), long.MaxValue, out int[] labels, out _, out _));
        CollectionAssert.AreEqual(indices.Select(i => (int)i).ToArray(), labels);

        indices[width + column] = 3;
        Assert.IsFalse(PngRgbDecoder.TryDecodeIndexMask(TestImages.PalettePng(width, height, indices, palette), long.MaxValue, out _, out _, out _), $"index 3 at column {column}");
    }

    [TestMethod]
    public void ExifOrientationIsLeftToImageSharpAndStillApplied()
    {
        using Image<Rgba32> source = RandomImage(6, 4, seed: 17, smooth: false, fewColours: false);
        source.Metadata.ExifProfile = new ExifProfile();
        source.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] png = TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb });
        Assert.IsTrue(PngChunks.Split(png).Any(c => c.Type == "eXIf"), "the encoder wrote no eXIf chunk; the test would not test the fallback");
        Assert.IsNull(PngRgbDecoder.TryDecode(png, Configuration.Default, long.MaxValue));
        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = true }).Load(png);
        Assert.AreEqual(6, tensor.Height);
        Assert.AreEqual(4, tensor.Width);
    }

    [TestMethod]
    public void OutOfScopePngsAreDeclined()
    {
        using Image<Rgba32> source = RandomImage(9, 9, seed: 19, smooth: false, fewColours: false);
        Assert.IsNull(PngRgbDecoder.TryDecode(TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 }), Configuration.Default, long.MaxValue));
        Assert.IsNull(PngRgbDecoder.TryDecode(TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb, InterlaceMethod = PngInterlaceMode.Adam7 }), Configuration.Default, long.MaxValue));
        Assert.IsNull(PngRgbDecoder.TryDecode(TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit4 }), Configuration.Default, long.MaxValue));
        byte[] png = TestImages.Encode(source, new PngEncoder { ColorType = PngColorType.Rgb });
        Assert.IsNotNull(PngRgbDecoder.TryDecode(png, Configuration.Default, 81));
        Assert.IsNull(PngRgbDecoder.TryDecode(png, Configuration.Default, 80), "over the pixel limit: the guarded path throws PixelLimitExceeded");
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(png);
        chunks.Insert(1, ("tEXt", "Comment\0hello"u8.ToArray()));
        Assert.IsNull(PngRgbDecoder.TryDecode(PngChunks.Join(chunks), Configuration.Default, long.MaxValue));
    }

    /// <summary>
    /// Index masks: an 8-bit gray PNG (class = gray value) and a palette PNG (class = palette index) written by
    /// ImageSharp from known class maps, every filter, odd widths: the fast path takes them and gives back exactly the
    /// classes written, and the loader (which goes through it) agrees.
    /// </summary>
    [TestMethod]
    [DataRow(PngColorType.Grayscale)]
    [DataRow(PngColorType.Palette)]
    public void IndexMasksDecodeToTheClassesWritten(PngColorType colorType)
    {
        var random = new Random(5);
        foreach (int width in new[] { 1, 3, 257 })
        {
            int height = 7;
            int[] classes = Enumerable.Range(0, width * height).Select(_ => random.Next(10) == 0 ? 255 : random.Next(21)).ToArray();
            foreach (PngFilterMethod filter in s_filters)
            {
                byte[] png = colorType == PngColorType.Grayscale ? GrayMask(classes, width, height, filter) : PaletteMask(classes, width, height, filter);
                Assert.IsTrue(PngRgbDecoder.TryDecodeIndexMask(png, long.MaxValue, out int[] fast, out int w, out int h), $"{colorType} {filter} width {width}: declined");
                Assert.AreEqual(width, w);
                Assert.AreEqual(height, h);
                CollectionAssert.AreEqual(classes, fast, $"{colorType} {filter} width {width}");
                LabelMap loaded = new SegmentationMaskLoader(new MaskOptions { ClassCount = 21 }).Load(png);
                CollectionAssert.AreEqual(classes, loaded.Labels, $"{colorType} {filter} width {width}: loader");
            }
        }
    }

    [TestMethod]
    public void IndexMasksOutOfScopeAreDeclinedAndStillLoad()
    {
        int[] classes = [0, 1, 2, 3, 4, 5];
        byte[] gray = GrayMask(classes, 3, 2, PngFilterMethod.Sub);

        // A cut anywhere: declined, and the loader refuses the file as truncated (the guarded path's wording).
        for (int cut = 8; cut < gray.Length; cut++)
        {
            Assert.IsFalse(PngRgbDecoder.TryDecodeIndexMask(gray.AsSpan(0, cut), long.MaxValue, out _, out _, out _), $"cut at {cut}");
        }

        // RGB masks, and gray masks over the pixel limit, take the ImageSharp path.
        using var rgb = new Image<Rgb24>(3, 2);
        byte[] rgbPng = TestImages.Encode(rgb, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        Assert.IsFalse(PngRgbDecoder.TryDecodeIndexMask(rgbPng, long.MaxValue, out _, out _, out _));
        Assert.IsFalse(PngRgbDecoder.TryDecodeIndexMask(gray, maxPixels: 5, out _, out _, out _));
        CollectionAssert.AreEqual(new int[6], new SegmentationMaskLoader(new MaskOptions { ClassCount = 21 }).Load(rgbPng).Labels);

        // A class outside ClassCount is still the loader's error, naming the value.
        var error = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 3 }).Load(gray));
        StringAssert.Contains(error.Message, "3");
    }

    private static byte[] GrayMask(int[] classes, int width, int height, PngFilterMethod filter)
    {
        using var image = new Image<L8>(width, height);
        for (int i = 0; i < classes.Length; i++)
        {
            image[i % width, i / width] = new L8((byte)classes[i]);
        }

        byte[] png = TestImages.Encode(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8, FilterMethod = filter });
        Assert.AreEqual(0, png[25]);
        return png;
    }

    /// <summary>A palette PNG whose index i is class i: written by hand (IHDR, PLTE of 256 distinct colours, IDAT, IEND), since an encoder picks its own palette order.</summary>
    private static byte[] PaletteMask(int[] classes, int width, int height, PngFilterMethod filter)
    {
        byte[] gray = GrayMask(classes, width, height, filter);

        // Same scanlines as the gray file (one sample per pixel, same filters): only IHDR's colour type and a PLTE change.
        byte[] palette = Enumerable.Range(0, 256).SelectMany(i => new[] { (byte)i, (byte)(255 - i), (byte)(i * 7) }).ToArray();
        var chunks = new List<(string Type, byte[] Body)>();
        foreach ((string type, byte[] body) in PngChunks.Split(gray))
        {
            if (type == "IHDR")
            {
                body[9] = 3;
                chunks.Add((type, body));
                chunks.Add(("PLTE", palette));
            }
            else
            {
                chunks.Add((type, body));
            }
        }

        return PngChunks.Join(chunks);
    }


    private static void AssertDecodesLikeImageSharp(byte[] png, string what)
    {
        using Image<Rgb24> expected = Image.Load<Rgb24>(png);
        using Image<Rgb24>? actual = PngRgbDecoder.TryDecode(png, Configuration.Default, long.MaxValue);
        Assert.IsNotNull(actual, $"{what}: the fast path declined the file");
        Assert.AreEqual(expected.Width, actual.Width, what);
        Assert.AreEqual(expected.Height, actual.Height, what);
        for (int y = 0; y < expected.Height; y++)
        {
            Span<Rgb24> want = expected.DangerousGetPixelRowMemory(y).Span, got = actual.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < want.Length; x++)
            {
                Assert.AreEqual(want[x], got[x], $"{what}: pixel ({x}, {y})");
            }
        }

        // The loader takes the same path: its tensor equals the one from ImageSharp's pixels.
        float[] tensor = new SegmentationImageLoader().Load(png).Data;
        int plane = expected.Width * expected.Height;
        for (int i = 0; i < plane; i++)
        {
            Rgb24 p = expected[i % expected.Width, i / expected.Width];
            Assert.AreEqual(p.R / 255f, tensor[i], 1e-6f, what);
            Assert.AreEqual(p.G / 255f, tensor[plane + i], 1e-6f, what);
            Assert.AreEqual(p.B / 255f, tensor[(2 * plane) + i], 1e-6f, what);
        }
    }

    /// <summary>Random pixels (with random alpha); <paramref name="smooth"/> makes neighbours close so predictive filters matter; <paramref name="fewColours"/> keeps a palette lossless.</summary>
    private static Image<Rgba32> RandomImage(int width, int height, int seed, bool smooth, bool fewColours)
    {
        var random = new Random(seed);
        var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte Sample(int k) => fewColours ? (byte)(random.Next(4) * 85) : smooth ? (byte)((x * (k + 3)) + (y * 5) + random.Next(6)) : (byte)random.Next(256);
                image[x, y] = new Rgba32(Sample(0), Sample(1), Sample(2), (byte)random.Next(256));
            }
        }

        return image;
    }

    private static int PngChunkOffset(byte[] png, string type)
    {
        int offset = 8;
        while (System.Text.Encoding.ASCII.GetString(png, offset + 4, 4) != type)
        {
            offset += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
        }

        return offset;
    }
}
