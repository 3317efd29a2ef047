using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Missing, corrupt, truncated and unknown files give BCL exceptions that name the file.</summary>
[TestClass]
public sealed class BadInputTests
{
    [TestMethod]
    public void MissingFileThrowsFileNotFoundWithThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "segml-no-such-image-" + Guid.NewGuid().ToString("N") + ".png");
        var image = Assert.ThrowsExactly<FileNotFoundException>(() => new SegmentationImageLoader().Load(path));
        Assert.AreEqual(path, image.FileName);
        StringAssert.Contains(image.Message, path);
        var mask = Assert.ThrowsExactly<FileNotFoundException>(() => new SegmentationMaskLoader().Load(path));
        Assert.AreEqual(path, mask.FileName);
        Assert.ThrowsExactly<FileNotFoundException>(() => new SegmentationImageLoader().LoadBatch([path]));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationImageLoader().Load(string.Empty));
    }

    [TestMethod]
    public void UnknownFormatThrowsInvalidDataNamingTheFile()
    {
        using var folder = new TempFolder();
        string path = folder.Write("notes.png", "this is not an image at all, just text"u8.ToArray());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(path));
        StringAssert.Contains(error.Message, path);
        Assert.IsNotNull(error.InnerException);
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationMaskLoader().Load(path));
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(ReadOnlySpan<byte>.Empty));
    }

    [TestMethod]
    public void CorruptPngThrowsInvalidDataNamingTheFile()
    {
        using Image<Rgb24> image = TestImages.Gradient(64, 64);
        byte[] png = TestImages.Png(image);
        using var folder = new TempFolder();

        byte[] truncated = png.AsSpan(0, png.Length / 2).ToArray();
        string truncatedPath = folder.Write("truncated.png", truncated);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(truncatedPath));
        StringAssert.Contains(error.Message, truncatedPath);
        StringAssert.Contains(error.Message, "truncated"); // refused before ImageSharp, which would fill the missing rows with zeros

        byte[] header = png.AsSpan(0, 20).ToArray();
        string headerPath = folder.Write("header.png", header);
        Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationMaskLoader().Load(headerPath));
    }

    [TestMethod]
    public void TruncatedJpegThrowsOrDecodesButNeverCrashes()
    {
        // JPEG decoders conventionally fill a truncated scan with grey; a file cut inside its headers must fail.
        using Image<Rgb24> image = TestImages.Gradient(64, 64);
        byte[] jpeg = TestImages.Encode(image, new JpegEncoder());
        byte[] headersOnly = jpeg.AsSpan(0, 40).ToArray();
        using var folder = new TempFolder();
        string path = folder.Write("cut.jpg", headersOnly);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader().Load(path));
        StringAssert.Contains(error.Message, path);
    }
}
