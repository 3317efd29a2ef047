using System.Buffers.Binary;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>Decompression bombs, the pixel limit and the interlaced-PNG hang: named, fast failures.</summary>
[TestClass]
public sealed class HostileFileTests
{
    [TestMethod]
    public void DeclaredHugePngFailsFastUnderTheDefaultLimitNamingFileAndLimit()
    {
        byte[] bomb = WithSize(SmallPng(), 100_000, 100_000);
        using var folder = new TempFolder();
        string path = folder.Write("bomb.png", bomb);

        var image = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(path));
        StringAssert.Contains(image.Message, path);
        StringAssert.Contains(image.Message, "67108864");
        StringAssert.Contains(image.Message, "MaxPixels");
        var measure = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Measure(path));
        StringAssert.Contains(measure.Message, path);
        var mask = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationMaskLoader().Load(path));
        StringAssert.Contains(mask.Message, "MaxPixels");
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(new MemoryStream(bomb)));
    }

    [TestMethod]
    public void MaxPixelsIsConfigurableAndInclusive()
    {
        byte[] png = SmallPng(); // 24 x 16 = 384 pixels
        Assert.AreEqual(16, new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = 384 }).Load(png).Height);
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = 383 }).Load(png));
        Assert.AreEqual(384, new SegmentationMaskLoader(new MaskOptions { MaxPixels = 384, Format = MaskFormat.Binary }).Load(png).Labels.Length);
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationMaskLoader(new MaskOptions { MaxPixels = 383, Format = MaskFormat.Binary }).Load(png));
    }

    [TestMethod]
    public void MaxPixelsBelowOneIsRejectedNamingOptions()
    {
        var image = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = 0 }));
        Assert.AreEqual("options", image.ParamName);
        var mask = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationMaskLoader(new MaskOptions { MaxPixels = -1 }));
        Assert.AreEqual("options", mask.ParamName);
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public void WideInterlacedPngWithTooLittleDataFailsInsteadOfHanging()
    {
        // ImageSharp 2.1.13 never returns from this file (fuzz input 5600); the loader must refuse it first.
        using Image<Rgb24> image = TestImages.Gradient(24, 16);
        byte[] interlaced = TestImages.Encode(image, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
        byte[] wide = WithSize(interlaced, 20_000, 16);
        Task<Exception?> run = Task.Run(() => Record(() => new SegmentationImageLoader().Load(wide)));
        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(10)), "the loader hung on a truncated interlaced PNG");
        Assert.IsInstanceOfType<InvalidDataException>(run.Result);
        StringAssert.Contains(run.Result!.Message, "interlaced");

        // A valid interlaced PNG still loads.
        Assert.AreEqual(24, new SegmentationImageLoader().Load(interlaced).Width);
    }

    [TestMethod]
    public void DecoderInternalErrorsAreWrappedWithTheInnerException()
    {
        // A BMP declaring 80000 pixels across: ImageSharp throws InvalidOperationException from Identify.
        using Image<Rgb24> image = TestImages.Gradient(8, 8);
        byte[] bmp = TestImages.Encode(image, new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder());
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 80_000);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(bmp));
        Assert.IsNotNull(error.InnerException);
        StringAssert.Contains(error.Message, "<byte buffer>");
    }

    private static byte[] SmallPng()
    {
        using Image<Rgb24> image = TestImages.Gradient(24, 16);
        return TestImages.Png(image);
    }

    private static byte[] WithSize(byte[] png, int width, int height)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(png);
        int header = chunks.FindIndex(c => c.Type == "IHDR");
        BinaryPrimitives.WriteInt32BigEndian(chunks[header].Body, width);
        BinaryPrimitives.WriteInt32BigEndian(chunks[header].Body.AsSpan(4), height);
        return PngChunks.Join(chunks);
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
