using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Every supported format round-trips through <see cref="SegmentationImageLoader"/>; EXIF orientation is honoured.</summary>
[TestClass]
public sealed class ImageFormatTests
{
    public static IEnumerable<object[]> LosslessEncoders()
    {
        yield return new object[] { "png", new PngEncoder() };
        yield return new object[] { "bmp", new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 } };
        yield return new object[] { "tga", new TgaEncoder { BitsPerPixel = TgaBitsPerPixel.Pixel24, Compression = TgaCompression.RunLength } };
        yield return new object[] { "webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless } };
        yield return new object[] { "tiff", new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit24 } };
        yield return new object[] { "ppm", new PbmEncoder { ColorType = PbmColorType.Rgb, Encoding = PbmEncoding.Binary } };
    }

    [TestMethod]
    [DynamicData(nameof(LosslessEncoders))]
    public void LosslessFormatsRoundTripExactly(string name, IImageEncoder encoder)
    {
        using Image<Rgb24> image = TestImages.Gradient(13, 7);
        byte[] data = TestImages.Encode(image, encoder);
        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(data);
        AssertPixels(image, tensor, tolerance: 0, name);

        // NHWC RGB takes the vectorized widening path; it must hold the same values.
        ImageTensor nhwc = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false, Layout = TensorLayout.Nhwc }).Load(data);
        for (int i = 0; i < image.Width * image.Height; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.AreEqual(tensor.Data[(c * image.Width * image.Height) + i], nhwc.Data[(3 * i) + c]);
            }
        }
    }

    [TestMethod]
    public void GifRoundTripsAPaletteImageExactly()
    {
        // GIF holds at most 256 colours: use 4, so the quantizer keeps every one.
        using var image = new Image<Rgb24>(9, 5);
        Rgb24[] colours = [new(255, 0, 0), new(0, 128, 0), new(10, 20, 230), new(250, 250, 250)];
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 9; x++)
            {
                image[x, y] = colours[(x + (2 * y)) % 4];
            }
        }

        byte[] data = TestImages.Encode(image, new GifEncoder());
        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(data);
        AssertPixels(image, tensor, tolerance: 0, "gif");
    }

    [TestMethod]
    public void JpegRoundTripsApproximately()
    {
        using var image = new Image<Rgb24>(32, 16);
        image.Mutate(x => x.BackgroundColor(Color.FromRgb(200, 60, 30)));
        byte[] data = TestImages.Encode(image, new JpegEncoder { Quality = 95 });
        using var stream = new MemoryStream(data);
        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(stream);
        AssertPixels(image, tensor, tolerance: 4, "jpeg");
    }

    [TestMethod]
    public void GrayscaleExpandsToThreeEqualChannels()
    {
        using Image<L8> gray = TestImages.Gray(5, 3, (x, y) => (byte)((x * 40) + y));
        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(TestImages.Png(gray));
        Assert.AreEqual(3, tensor.Channels);
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 5; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.AreEqual((x * 40) + y, tensor.Data[(((c * 3) + y) * 5) + x]);
                }
            }
        }
    }

    [TestMethod]
    public void AlphaIsDroppedAndSixteenBitColourIsReduced()
    {
        using var rgba = new Image<Rgba32>(3, 2, new Rgba32(10, 20, 30, 0));
        ImageTensor t = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(TestImages.Png(rgba));
        Assert.AreEqual(10f, t.Data[0]);
        Assert.AreEqual(30f, t.Data[12]);

        using var deep = new Image<Rgb48>(2, 2, new Rgb48(65535, 0, 32896));
        ImageTensor d = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(TestImages.Encode(deep, new PngEncoder { BitDepth = PngBitDepth.Bit16 }));
        Assert.AreEqual(255f, d.Data[0]);
        Assert.AreEqual(128f, d.Data[8], 1f);
    }

    [TestMethod]
    public void FixtureJpegWithExifOrientation6LoadsUprightLikeThePlainJpeg()
    {
        string photos = SharedData.RequireDirectory("fixtures/photos");
        var loader = new SegmentationImageLoader();
        ImageTensor plain = loader.Load(Path.Combine(photos, "chelsea.jpg"));
        ImageTensor rotated = loader.Load(Path.Combine(photos, "chelsea_exif_orientation6.jpg"));
        Assert.AreEqual(451, plain.Width);
        Assert.AreEqual(300, plain.Height);
        Assert.AreEqual(plain.Width, rotated.Width);
        Assert.AreEqual(plain.Height, rotated.Height);
        double meanAbs = plain.Data.Zip(rotated.Data, (a, b) => Math.Abs(a - b)).Average();
        // Two independently encoded JPEGs: measured 2.04/255. A wrong orientation (mirrored) differs many times more.
        Assert.IsLessThan(3.0 / 255, meanAbs, $"mean |difference| {meanAbs * 255:F2}/255");
        int w = plain.Width;
        double mirrored = plain.Data.Select((a, i) => Math.Abs(a - rotated.Data[(i - (i % w)) + (w - 1 - (i % w))])).Average();
        Assert.IsGreaterThan(5 * meanAbs, mirrored, $"mirrored {mirrored * 255:F2}/255");

        ImageTensor stored = new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = false }).Load(Path.Combine(photos, "chelsea_exif_orientation6.jpg"));
        Assert.AreEqual(300, stored.Width);
        Assert.AreEqual(451, stored.Height);
    }

    [TestMethod]
    public void GeneratedJpegWithExifOrientationIsRotatedUpright()
    {
        // Upright: 64x32, left half red, right half blue. Stored rotated 90° counter-clockwise with orientation 6
        // ("rotate 90° clockwise to display").
        using var upright = new Image<Rgb24>(64, 32);
        for (int y = 0; y < 32; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                upright[x, y] = x < 32 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
            }
        }

        using Image<Rgb24> stored = upright.Clone(x => x.Rotate(RotateMode.Rotate270));
        Assert.AreEqual(32, stored.Width);
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] data = TestImages.Encode(stored, new JpegEncoder { Quality = 95 });

        ImageTensor tensor = new SegmentationImageLoader(new ImageTensorOptions { ScaleToUnit = false }).Load(data);
        Assert.AreEqual(64, tensor.Width);
        Assert.AreEqual(32, tensor.Height);
        AssertPixels(upright, tensor, tolerance: 40, "exif jpeg", border: 2);

        ImageTensor raw = new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = false }).Load(data);
        Assert.AreEqual(32, raw.Width);
        Assert.AreEqual(64, raw.Height);

        using var folder = new TempFolder();
        string path = folder.Write("exif6.jpg", data);
        Assert.AreEqual(tensor.Geometries[0], new SegmentationImageLoader().Measure(path));
        Assert.AreEqual(32, new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = false }).Measure(path).OriginalWidth);
    }

    /// <summary>Compares an NCHW RGB tensor of raw values with the image, skipping <paramref name="border"/> pixels at a colour edge.</summary>
    internal static void AssertPixels(Image<Rgb24> image, ImageTensor tensor, int tolerance, string name, int border = 0)
    {
        Assert.AreEqual(1, tensor.Batch);
        Assert.AreEqual(image.Width, tensor.Width, name);
        Assert.AreEqual(image.Height, tensor.Height, name);
        int plane = image.Width * image.Height;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (border > 0 && Math.Abs(x - (image.Width / 2)) < border)
                {
                    continue;
                }

                Rgb24 p = image[x, y];
                int i = (y * image.Width) + x;
                Assert.AreEqual(p.R, tensor.Data[i], tolerance, $"{name} R at ({x}, {y})");
                Assert.AreEqual(p.G, tensor.Data[plane + i], tolerance, $"{name} G at ({x}, {y})");
                Assert.AreEqual(p.B, tensor.Data[(2 * plane) + i], tolerance, $"{name} B at ({x}, {y})");
            }
        }
    }
}
