using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Channel order, scaling, normalisation, layout and batching of <see cref="SegmentationImageLoader"/>.</summary>
[TestClass]
public sealed class ImageTensorOptionsTests
{
    private static readonly Rgb24[] s_pixels = [new(10, 20, 30), new(40, 50, 60), new(70, 80, 90), new(100, 110, 255)];

    private static byte[] TwoByTwo()
    {
        using var image = new Image<Rgb24>(2, 2);
        image[0, 0] = s_pixels[0];
        image[1, 0] = s_pixels[1];
        image[0, 1] = s_pixels[2];
        image[1, 1] = s_pixels[3];
        return TestImages.Png(image);
    }

    [TestMethod]
    public void DefaultIsRgbNchwScaledToUnit()
    {
        ImageTensor t = new SegmentationImageLoader().Load(TwoByTwo());
        CollectionAssert.AreEqual(new[] { 1, 3, 2, 2 }, t.Dimensions.ToArray());
        float[] expected = [10, 40, 70, 100, 20, 50, 80, 110, 30, 60, 90, 255];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i] / 255f, t.Data[i], 1e-6f, $"element {i}");
        }
    }

    [TestMethod]
    public void BgrSwapsTheFirstAndLastChannel()
    {
        ImageTensor t = new SegmentationImageLoader(new ImageTensorOptions { ChannelOrder = ChannelOrder.Bgr, ScaleToUnit = false }).Load(TwoByTwo());
        CollectionAssert.AreEqual(new float[] { 30, 60, 90, 255, 20, 50, 80, 110, 10, 40, 70, 100 }, t.Data);
    }

    [TestMethod]
    public void NhwcInterleavesChannels()
    {
        ImageTensor rgb = new SegmentationImageLoader(new ImageTensorOptions { Layout = TensorLayout.Nhwc, ScaleToUnit = false }).Load(TwoByTwo());
        CollectionAssert.AreEqual(new[] { 1, 2, 2, 3 }, rgb.Dimensions.ToArray());
        CollectionAssert.AreEqual(new float[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 255 }, rgb.Data);
        ImageTensor bgr = new SegmentationImageLoader(new ImageTensorOptions { Layout = TensorLayout.Nhwc, ChannelOrder = ChannelOrder.Bgr, ScaleToUnit = false }).Load(TwoByTwo());
        CollectionAssert.AreEqual(new float[] { 30, 20, 10, 60, 50, 40, 90, 80, 70, 255, 110, 100 }, bgr.Data);
    }

    [TestMethod]
    public void ImageNetNormalisationMatchesTheFormulaInBothLayoutsAndOrders()
    {
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        foreach (TensorLayout layout in new[] { TensorLayout.Nchw, TensorLayout.Nhwc })
        {
            foreach (ChannelOrder order in new[] { ChannelOrder.Rgb, ChannelOrder.Bgr })
            {
                ImageTensorOptions options = ImageTensorOptions.ImageNet();
                options.Layout = layout;
                options.ChannelOrder = order;
                ImageTensor t = new SegmentationImageLoader(options).Load(TwoByTwo());
                for (int p = 0; p < 4; p++)
                {
                    byte[] rgb = [s_pixels[p].R, s_pixels[p].G, s_pixels[p].B];
                    for (int c = 0; c < 3; c++)
                    {
                        int source = order == ChannelOrder.Bgr ? 2 - c : c;
                        float expected = ((rgb[source] / 255f) - mean[source]) / std[source];
                        int index = layout == TensorLayout.Nchw ? (c * 4) + p : (p * 3) + c;
                        Assert.AreEqual(expected, t.Data[index], 1e-5f, $"{layout} {order} pixel {p} channel {c}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void SingleMeanAndStdApplyToAllChannelsWithoutScaling()
    {
        var options = new ImageTensorOptions { ScaleToUnit = false, Mean = [127.5f], Std = [127.5f] };
        ImageTensor t = new SegmentationImageLoader(options).Load(TwoByTwo());
        Assert.AreEqual((10 - 127.5f) / 127.5f, t.Data[0], 1e-6f);
        Assert.AreEqual(1f, t.Data[11], 1e-6f);
    }

    [TestMethod]
    public void OptionsAreValidated()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationImageLoader(new ImageTensorOptions { Mean = [0.1f, 0.2f] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationImageLoader(new ImageTensorOptions { Std = [0.1f, 0f, 0.2f] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 8, Height = 8, PaddingValue = 300 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple, SizeMultiple = 0 }));
    }

    [TestMethod]
    public void BatchesStackImagesOfOneOutputSizeAndRejectOthers()
    {
        using var folder = new TempFolder();
        using Image<Rgb24> a = TestImages.Gradient(8, 6);
        using Image<Rgb24> b = TestImages.Gradient(12, 4);
        string pathA = folder.Write("a.png", TestImages.Png(a));
        string pathB = folder.Write("b.png", TestImages.Png(b));
        var stretch = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch, Width = 10, Height = 5 });
        ImageTensor batch = stretch.LoadBatch([pathA, pathB, pathA]);
        CollectionAssert.AreEqual(new[] { 3, 3, 5, 10 }, batch.Dimensions.ToArray());
        Assert.AreEqual(12, batch.Geometries[1].OriginalWidth);
        CollectionAssert.AreEqual(batch.Data.AsSpan(0, 150).ToArray(), batch.Data.AsSpan(300, 150).ToArray());

        var span = new float[3 * 150];
        IReadOnlyList<ImageGeometry> geometries = stretch.LoadBatch([pathA, pathB, pathA], span);
        CollectionAssert.AreEqual(batch.Data, span);
        Assert.AreEqual(3, geometries.Count);

        var none = new SegmentationImageLoader();
        var error = Assert.ThrowsExactly<ArgumentException>(() => none.LoadBatch([pathA, pathB]));
        StringAssert.Contains(error.Message, pathB);
        Assert.ThrowsExactly<ArgumentException>(() => stretch.LoadBatch([pathA], new float[149]));
        Assert.ThrowsExactly<ArgumentException>(() => stretch.Load(pathA, new float[151]));
        Assert.AreEqual(10, stretch.Load(pathA, new float[150]).OutputWidth);
    }

    [TestMethod]
    public void StreamAndSpanOverloadsMatchTheArrayResult()
    {
        var loader = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
        ImageTensor expected = loader.Load(TwoByTwo());
        var fromStream = new float[12];
        using (var stream = new MemoryStream(TwoByTwo()))
        {
            Assert.AreEqual(2, loader.Load(stream, fromStream).OutputWidth);
        }

        var fromBytes = new float[12];
        loader.Load(TwoByTwo(), fromBytes);
        CollectionAssert.AreEqual(expected.Data, fromStream);
        CollectionAssert.AreEqual(expected.Data, fromBytes);
    }

    [TestMethod]
    public void MeasureReadsTheUprightSizeFromTheHeader()
    {
        using var folder = new TempFolder();
        using Image<Rgb24> image = TestImages.Gradient(30, 20);
        string path = folder.Write("g.png", TestImages.Png(image));
        var loader = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple, SizeMultiple = 16 });
        ImageGeometry measured = loader.Measure(path);
        Assert.AreEqual(loader.Load(path).Geometries[0], measured);
        Assert.AreEqual(32, measured.OutputWidth);
    }
}
