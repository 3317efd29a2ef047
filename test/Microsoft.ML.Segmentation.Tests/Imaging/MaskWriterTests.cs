using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Index and colour PNGs written by <see cref="MaskWriter"/> read back through <see cref="SegmentationMaskLoader"/>.</summary>
[TestClass]
public sealed class MaskWriterTests
{
    private static int[] Labels(int width, int height, int classes, int? ignore)
    {
        var labels = new int[width * height];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = ignore is int ig && i % 7 == 3 ? ig : (i * 31 + (i / width)) % classes;
        }

        return labels;
    }

    [TestMethod]
    public void EightBitIndexRoundTripsWithTheIgnoreIndex()
    {
        using var temp = new TempDirectory();
        int[] labels = Labels(9, 5, 21, 255);
        string path = temp.File("m.png");
        MaskWriter.SaveIndexPng(labels, 9, 5, 21, path);
        using (Image image = Image.Load(path))
        {
            Assert.AreEqual(8, image.PixelType.BitsPerPixel);
        }

        LabelMap back = new SegmentationMaskLoader(new MaskOptions { ClassCount = 21 }).Load(path);
        Assert.AreEqual(9, back.Width);
        Assert.AreEqual(5, back.Height);
        CollectionAssert.AreEqual(labels, back.Labels);
    }

    [TestMethod]
    public void MoreThan256ClassesGiveSixteenBits()
    {
        using var temp = new TempDirectory();
        int[] labels = Labels(20, 30, 600, 65535);
        string path = temp.File("m16.png");
        MaskWriter.SaveIndexPng(new LabelMap(labels, 20, 30), 600, path, ignoreIndex: 65535);
        using (Image image = Image.Load(path))
        {
            Assert.AreEqual(16, image.PixelType.BitsPerPixel);
        }

        LabelMap back = new SegmentationMaskLoader(new MaskOptions { ClassCount = 600, IgnoreIndex = 65535 }).Load(path);
        CollectionAssert.AreEqual(labels, back.Labels);
    }

    [TestMethod]
    public void ColourRoundTripsThroughThePascalVocTable()
    {
        using var temp = new TempDirectory();
        int[] labels = Labels(8, 6, 21, 255);
        string path = temp.File("c.png");
        MaskWriter.SaveColorPng(labels, 8, 6, path);
        using (Image<Rgb24> image = Image.Load<Rgb24>(path))
        {
            Assert.AreEqual(new Rgb24(224, 224, 192), image[3, 0]);   // pixel 3 is ignored: the VOC border colour
            Assert.AreEqual(new Rgb24(0, 0, 0), image[0, 0]);         // class 0
        }

        LabelMap back = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc, ClassCount = 21 }).Load(path);
        CollectionAssert.AreEqual(labels, back.Labels);
    }

    [TestMethod]
    public void CustomColormapAndWhiteIgnore()
    {
        using var temp = new TempDirectory();
        string path = temp.File("c.png");
        MaskWriter.SaveColorPng([0, 1, 255, 1], 2, 2, path, [0x102030, 0xFF0000]);
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        Assert.AreEqual(new Rgb24(0x10, 0x20, 0x30), image[0, 0]);
        Assert.AreEqual(new Rgb24(255, 0, 0), image[1, 0]);
        Assert.AreEqual(new Rgb24(255, 255, 255), image[0, 1]);
    }

    [TestMethod]
    public void InvalidInputIsRejectedWithTheValue()
    {
        using var temp = new TempDirectory();
        string path = temp.File("x.png");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => MaskWriter.SaveIndexPng([0, 1, 2], 2, 2, 3, path)).Message, "needs 4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => MaskWriter.SaveIndexPng([0, 1, 7, 2], 2, 2, 3, path)).Message, "Label 7 at pixel (0, 1)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => MaskWriter.SaveIndexPng([0, 1, 1, 2], 2, 2, 3, path, ignoreIndex: 2)).Message, "ignoreIndex (2)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => MaskWriter.SaveColorPng([0, 1, 2, 1], 2, 2, path, [0, 0xFFFFFF])).Message, "Label 2");
        Assert.ThrowsExactly<ArgumentException>(() => MaskWriter.SaveColorPng([0, 0, 0, 0], 2, 2, path, [0x1000000]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MaskWriter.SaveIndexPng([], 0, 2, 3, path));
    }
}
