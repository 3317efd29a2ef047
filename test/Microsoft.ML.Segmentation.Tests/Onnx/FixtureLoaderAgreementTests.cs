using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>The library's image and mask loaders against the independent test decoder, on the real fixtures.</summary>
[TestClass]
public sealed class FixtureLoaderAgreementTests
{
    [TestMethod]
    public void LrasppImagesAndMasksLoadAsTheTestDecoderReadsThem()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        var images = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 });
        foreach (string file in Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Order().Take(6))
        {
            (float[] expected, int height, int width) = FixtureImages.LoadNormalized(file);
            ImageTensor tensor = images.Load(file);
            Assert.AreEqual((height, width), (tensor.Height, tensor.Width), file);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], tensor.Data[i], 1e-5f, $"{file} element {i}");
            }

            string maskFile = Path.Combine(dir, "masks", Path.GetFileName(file));
            (int[] truth, _, _) = FixtureImages.LoadGray(maskFile);
            CollectionAssert.AreEqual(truth, masks.Load(maskFile).Labels, maskFile);
        }
    }

    [TestMethod]
    public void PaddleOcrPagePadsAndSwapsChannelsAsTheTestDecoder()
    {
        string page = Path.Combine(SharedData.RequireDirectory("fixtures/ppocr-det"), "page.png");
        (float[] expected, int height, int width) = FixtureImages.LoadNormalized(page, bgr: true, multiple: 32, padValue: 255);
        ImageTensorOptions options = ImageTensorOptions.ImageNet();
        options.ChannelOrder = ChannelOrder.Bgr;
        options.ResizeMode = ImageResizeMode.PadToMultiple;
        options.SizeMultiple = 32;
        options.PaddingValue = 255;
        ImageTensor tensor = new SegmentationImageLoader(options).Load(page);
        Assert.AreEqual((height, width), (tensor.Height, tensor.Width));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], tensor.Data[i], 1e-5f, $"element {i}");
        }
    }
}
