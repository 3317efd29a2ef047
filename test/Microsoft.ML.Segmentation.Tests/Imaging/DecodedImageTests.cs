using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// <see cref="DecodedImage.ReadRegion"/> (what tiled prediction of large images reads) against the same region of the
/// full tensor <see cref="SegmentationImageLoader"/> makes: bit for bit, on real photos and generated images.
/// </summary>
[TestClass]
public sealed class DecodedImageTests
{
    public static IEnumerable<object[]> Options() =>
    [
        ["default", new ImageTensorOptions()],
        ["imagenet", ImageTensorOptions.ImageNet()],
        ["imagenet-bgr", new ImageTensorOptions { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd, ChannelOrder = ChannelOrder.Bgr }],
        ["raw-bgr-one-mean", new ImageTensorOptions { ScaleToUnit = false, Mean = [114f], Std = [58f], ChannelOrder = ChannelOrder.Bgr }],
    ];

    [TestMethod]
    [DynamicData(nameof(Options))]
    public void RegionsOfPhotosEqualTheFullTensor(string name, ImageTensorOptions options)
    {
        var loader = new SegmentationImageLoader(options);
        string photos = SharedData.RequireDirectory("fixtures/photos");
        string[] files = Directory.GetFiles(photos).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Order().ToArray();
        Assert.IsTrue(files.Length >= 3, $"fixtures/photos has {files.Length} photos");
        foreach (string file in files)
        {
            AssertRegionsMatch(loader, file, $"{name}/{Path.GetFileName(file)}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Options))]
    public void RegionsOfGeneratedImagesEqualTheFullTensor(string name, ImageTensorOptions options)
    {
        using var folder = new TempDirectory();
        var loader = new SegmentationImageLoader(options);
        foreach ((int width, int height) in new[] { (1, 1), (37, 23), (64, 129), (300, 7) })
        {
            string path = folder.File($"g{width}x{height}.png");
            using (Image<Rgb24> image = TestImages.Gradient(width, height))
            {
                image.SaveAsPng(path);
            }

            AssertRegionsMatch(loader, path, $"{name}/{width}x{height}");
        }
    }

    [TestMethod]
    public void ExifOrientationIsAppliedAsTheTensorLoaderDoes()
    {
        string photos = SharedData.RequireDirectory("fixtures/photos");
        string rotated = Path.Combine(photos, "chelsea_exif_orientation6.jpg");
        var loader = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
        ImageTensor tensor = loader.Load(rotated);
        using DecodedImage decoded = loader.LoadPixels(rotated);
        Assert.AreEqual(tensor.Width, decoded.Width);
        Assert.AreEqual(tensor.Height, decoded.Height);
        Assert.AreEqual(451, decoded.Width, "the portrait-stored photo is turned upright (landscape) by its orientation 6");
        Assert.AreEqual(300, decoded.Height);
        AssertRegionsMatch(loader, rotated, "exif");
        using DecodedImage stored = new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = false }).LoadPixels(rotated);
        Assert.AreEqual(300, stored.Width);
        Assert.AreEqual(451, stored.Height);
    }

    [TestMethod]
    public void OtherResizeModesAreNotSupported()
    {
        foreach (ImageResizeMode mode in new[] { ImageResizeMode.Stretch, ImageResizeMode.Letterbox, ImageResizeMode.PadToMultiple })
        {
            var loader = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = mode, Width = 32, Height = 32 });
            NotSupportedException e = Assert.ThrowsExactly<NotSupportedException>(() => loader.LoadPixels("unused.png"));
            StringAssert.Contains(e.Message, "ImageTensorOptions.ResizeMode");
            StringAssert.Contains(e.Message, mode.ToString());
        }
    }

    [TestMethod]
    public void ThePixelLimitIsCheckedBeforeDecodingAndSaysHowToRaiseIt()
    {
        using var folder = new TempDirectory();
        string path = folder.File("big.png");
        using (Image<Rgb24> image = TestImages.Gradient(40, 30))
        {
            image.SaveAsPng(path);
        }

        var loader = new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = 1000 });
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.LoadPixels(path));
        Assert.IsTrue(PixelLimitExceeded.TryGetFrom(e, out PixelLimitExceeded? details));
        Assert.AreEqual(1200, details.Pixels);
        StringAssert.Contains(e.Message, "ImageTensorOptions.MaxPixels");
    }

    [TestMethod]
    public void TruncatedFilesAreRefusedAsByTheTensorLoader()
    {
        using var folder = new TempDirectory();
        string path = folder.File("cut.png");
        byte[] png = TestImages.Png(TestImages.Gradient(50, 50));
        File.WriteAllBytes(path, png[..(png.Length / 2)]);
        var loader = new SegmentationImageLoader();
        Assert.ThrowsExactly<InvalidDataException>(() => loader.Load(path));
        Assert.ThrowsExactly<InvalidDataException>(() => loader.LoadPixels(path));
        Assert.ThrowsExactly<FileNotFoundException>(() => loader.LoadPixels(folder.File("missing.png")));
    }

    [TestMethod]
    public void RegionsOutsideTheImageOrShortBuffersAreRefused()
    {
        using var folder = new TempDirectory();
        string path = folder.File("small.png");
        File.WriteAllBytes(path, TestImages.Png(TestImages.Gradient(10, 8)));
        using DecodedImage image = new SegmentationImageLoader().LoadPixels(path);
        var buffer = new float[3 * 8 * 10];
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.ReadRegion(0, 5, 8, 6, buffer));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.ReadRegion(-1, 0, 1, 1, buffer));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => image.ReadRegion(0, 0, 0, 1, buffer));
        Assert.ThrowsExactly<ArgumentException>(() => image.ReadRegion(0, 0, 8, 10, new float[(3 * 8 * 10) - 1]));
        image.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => image.ReadRegion(0, 0, 1, 1, buffer));
    }

    /// <summary>Compares the whole image and several sub-rectangles (edges, corners, single pixels) with the tensor.</summary>
    private static void AssertRegionsMatch(SegmentationImageLoader loader, string path, string label)
    {
        ImageTensor tensor = loader.Load(path);
        using DecodedImage decoded = loader.LoadPixels(path);
        int h = tensor.Height, w = tensor.Width;
        Assert.AreEqual(h, decoded.Height, label);
        Assert.AreEqual(w, decoded.Width, label);
        Assert.AreEqual(tensor.Geometries[0], decoded.Geometry, label);
        var random = new Random(h * 31 + w);
        var regions = new List<(int Top, int Left, int Rows, int Columns)> { (0, 0, h, w), (h - 1, w - 1, 1, 1), (0, w - 1, h, 1), (h - 1, 0, 1, w) };
        for (int i = 0; i < 6; i++)
        {
            int rows = random.Next(1, h + 1), columns = random.Next(1, w + 1);
            regions.Add((random.Next(0, h - rows + 1), random.Next(0, w - columns + 1), rows, columns));
        }

        foreach ((int top, int left, int rows, int columns) in regions)
        {
            var region = new float[3 * rows * columns];
            decoded.ReadRegion(top, left, rows, columns, region);
            for (int c = 0; c < 3; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    for (int x = 0; x < columns; x++)
                    {
                        float expected = tensor.Data[(((c * h) + top + r) * w) + left + x];
                        float actual = region[(((c * rows) + r) * columns) + x];
                        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
                        {
                            Assert.Fail($"{label}: region ({top},{left},{rows}x{columns}) channel {c} row {r} col {x}: {actual} != tensor {expected}");
                        }
                    }
                }
            }
        }
    }
}
