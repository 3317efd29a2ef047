using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Output size and padding of each resize mode, and the inverse mapping of masks.</summary>
[TestClass]
public sealed class ResizeModeTests
{
    [TestMethod]
    public void GeometryOfEachMode()
    {
        Assert.AreEqual(new ImageGeometry(50, 30, 50, 30, 0, 0, 50, 30), ImageGeometry.Compute(50, 30, new ImageTensorOptions()));
        Assert.AreEqual(new ImageGeometry(50, 30, 64, 64, 0, 0, 64, 64), ImageGeometry.Compute(50, 30, new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch, Width = 64, Height = 64 }));
        Assert.AreEqual(new ImageGeometry(50, 30, 50, 30, 0, 0, 64, 32), ImageGeometry.Compute(50, 30, new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple }));
        Assert.AreEqual(new ImageGeometry(64, 32, 64, 32, 0, 0, 64, 32), ImageGeometry.Compute(64, 32, new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple }));

        ImageGeometry letterbox = ImageGeometry.Compute(100, 50, new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 64, Height = 64 });
        Assert.AreEqual(new ImageGeometry(100, 50, 64, 32, 0, 16, 64, 64), letterbox);
        Assert.AreEqual(0.64, letterbox.ScaleX, 1e-12);
        Assert.AreEqual(16, letterbox.PadBottom);
        Assert.AreEqual(0, letterbox.PadRight);
    }

    [TestMethod]
    public void StretchResizesToTheTargetSize()
    {
        using Image<Rgb24> image = TestImages.Gradient(40, 20);
        ImageTensor t = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch, Width = 16, Height = 24 }).Load(TestImages.Png(image));
        Assert.AreEqual(16, t.Width);
        Assert.AreEqual(24, t.Height);
        Assert.AreEqual(3 * 16 * 24, t.Data.Length);
    }

    [TestMethod]
    public void LetterboxCentresTheContentAndPadsWithTheValue()
    {
        // A uniform 20x10 image into 16x16: content 16x8 at rows 4..11, padding 114 elsewhere.
        using var image = new Image<Rgb24>(20, 10, new Rgb24(200, 100, 50));
        var options = new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 16, Height = 16, PaddingValue = 114, ScaleToUnit = false };
        ImageTensor t = new SegmentationImageLoader(options).Load(TestImages.Png(image));
        ImageGeometry g = t.Geometries[0];
        Assert.AreEqual(new ImageGeometry(20, 10, 16, 8, 0, 4, 16, 16), g);
        for (int y = 0; y < 16; y++)
        {
            bool content = y >= 4 && y < 12;
            Assert.AreEqual(content ? 200f : 114f, t.Data[(y * 16) + 3], 0.5f, $"R row {y}");
            Assert.AreEqual(content ? 50f : 114f, t.Data[(2 * 256) + (y * 16) + 3], 0.5f, $"B row {y}");
        }
    }

    [TestMethod]
    public void PadToMultiplePadsRightAndBottomOnly()
    {
        using Image<Rgb24> image = TestImages.Gradient(33, 10);
        ImageTensor t = new SegmentationImageLoader(new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple, SizeMultiple = 16, ScaleToUnit = false, PaddingValue = 7 })
            .Load(TestImages.Png(image));
        Assert.AreEqual(48, t.Width);
        Assert.AreEqual(16, t.Height);
        Assert.AreEqual(image[32, 9].R, t.Data[(9 * 48) + 32]);
        Assert.AreEqual(image[0, 0].G, t.Data[(16 * 48) + 0]);
        Assert.AreEqual(7f, t.Data[(9 * 48) + 33]);
        Assert.AreEqual(7f, t.Data[(10 * 48) + 0]);
    }

    [TestMethod]
    public void LetterboxThenRestoreGivesBackTheMaskForAnIntegerScale()
    {
        // 25x50 → letterbox 100x100: scale 2, content 50x100 at column 25.
        int[] mask = Enumerable.Range(0, 25 * 50).Select(i => (i * 7) % 5).ToArray();
        ImageGeometry g = ImageGeometry.Compute(25, 50, new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 100, Height = 100 });
        Assert.AreEqual(new ImageGeometry(25, 50, 50, 100, 25, 0, 100, 100), g);
        var output = new int[100 * 100];
        MaskGeometry.Apply(mask, 25, 50, g, 255, output);
        Assert.AreEqual(255, output[24]);
        Assert.AreEqual(mask[0], output[25]);
        Assert.AreEqual(mask[0], output[126]);
        Assert.AreEqual(255, output[(99 * 100) + 75]);
        CollectionAssert.AreEqual(mask, MaskGeometry.Restore(output, g));
    }

    [TestMethod]
    public void RestoreCropsPadToMultipleAndUndoesStretch()
    {
        int[] mask = Enumerable.Range(0, 30 * 20).Select(i => i % 3).ToArray();
        ImageGeometry pad = ImageGeometry.Compute(30, 20, new ImageTensorOptions { ResizeMode = ImageResizeMode.PadToMultiple, SizeMultiple = 32 });
        var padded = new int[32 * 32];
        MaskGeometry.Apply(mask, 30, 20, pad, 255, padded);
        Assert.AreEqual(255, padded[30]);
        CollectionAssert.AreEqual(mask, MaskGeometry.Restore(padded, pad));

        ImageGeometry stretch = ImageGeometry.Compute(30, 20, new ImageTensorOptions { ResizeMode = ImageResizeMode.Stretch, Width = 90, Height = 60 });
        var stretched = new int[90 * 60];
        MaskGeometry.Apply(mask, 30, 20, stretch, 255, stretched);
        CollectionAssert.AreEqual(mask, MaskGeometry.Restore(stretched, stretch));

        // Downscaling then restoring keeps every label a real label and the original size.
        ImageGeometry down = ImageGeometry.Compute(30, 20, new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 16, Height = 16 });
        var small = new int[256];
        MaskGeometry.Apply(mask, 30, 20, down, 255, small);
        int[] restored = MaskGeometry.Restore(small, down);
        Assert.AreEqual(600, restored.Length);
        Assert.IsTrue(restored.All(v => v is >= 0 and < 3));
        Assert.ThrowsExactly<ArgumentException>(() => MaskGeometry.Restore(new int[255], down));
    }
}
