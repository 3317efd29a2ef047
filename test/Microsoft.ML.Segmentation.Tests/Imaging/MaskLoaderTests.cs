using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Index, 16-bit, palette, colour and binary masks; ignore values; geometry shared with the image.</summary>
[TestClass]
public sealed class MaskLoaderTests
{
    [TestMethod]
    public void EightBitIndexMaskKeepsValuesAndTheIgnoreIndex()
    {
        using Image<L8> mask = TestImages.Gray(6, 4, (x, y) => (byte)(x == 5 ? 255 : (x + y) % 3));
        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { ClassCount = 3 }).Load(TestImages.Png(mask));
        Assert.AreEqual(6, labels.Width);
        Assert.AreEqual(4, labels.Height);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 6; x++)
            {
                Assert.AreEqual(x == 5 ? 255 : (x + y) % 3, labels.Labels[(y * 6) + x]);
            }
        }
    }

    [TestMethod]
    public void SixteenBitMaskReadsValuesAbove255()
    {
        using var mask = new Image<L16>(5, 2);
        for (int x = 0; x < 5; x++)
        {
            mask[x, 0] = new L16((ushort)(x * 300));
            mask[x, 1] = new L16(65535);
        }

        byte[] png = TestImages.Encode(mask, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });
        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { ClassCount = 1500, IgnoreIndex = 65535 }).Load(png);
        CollectionAssert.AreEqual(new[] { 0, 300, 600, 900, 1200, 65535, 65535, 65535, 65535, 65535 }, labels.Labels);
        var error = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 1000, IgnoreIndex = 65535 }).Load(png));
        StringAssert.Contains(error.Message, "1200");
    }

    [TestMethod]
    public void PalettePngGivesThePaletteIndexNotTheColour()
    {
        // Palette colours that are not grey levels, in an order unrelated to any brightness.
        (byte R, byte G, byte B)[] palette = [(0, 0, 255), (255, 0, 0), (10, 200, 10), (128, 0, 128), (255, 255, 0)];
        byte[] indices = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2, 2, 2, 2, 2];
        byte[] png = TestImages.PalettePng(5, 3, indices, palette);
        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 }).Load(png);
        CollectionAssert.AreEqual(indices.Select(i => (int)i).ToArray(), labels.Labels);

        // A palette that repeats a colour (entries 1 and 3 are both red) still gives each pixel its own index.
        (byte R, byte G, byte B)[] repeated = [(0, 0, 255), (255, 0, 0), (10, 200, 10), (255, 0, 0), (255, 255, 0)];
        LabelMap exact = new SegmentationMaskLoader().Load(TestImages.PalettePng(5, 3, indices, repeated));
        CollectionAssert.AreEqual(indices.Select(i => (int)i).ToArray(), exact.Labels);

        // The same file read as a colour mask goes through the table instead.
        var table = new MaskColorTable(palette.Select((c, i) => (c, i)).ToDictionary(p => MaskColorTable.Rgb(p.c.R, p.c.G, p.c.B), p => 10 + p.i));
        LabelMap colours = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = table }).Load(png);
        CollectionAssert.AreEqual(indices.Select(i => 10 + i).ToArray(), colours.Labels);
    }

    [TestMethod]
    public void ImageSharpPalettePngAt4BitsInterlacedGivesIndicesOfItsPlte()
    {
        Rgb24[] colours = [new(200, 30, 30), new(30, 30, 200), new(30, 200, 30)];
        using var mask = new Image<Rgb24>(11, 9);
        for (int y = 0; y < 9; y++)
        {
            for (int x = 0; x < 11; x++)
            {
                mask[x, y] = colours[((x / 3) + y) % 3];
            }
        }

        byte[] png = TestImages.Encode(mask, new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit4, InterlaceMethod = PngInterlaceMode.Adam7 });
        Assert.AreEqual(3, png[8 + 8 + 9], "colour type 3");
        Assert.AreEqual(4, png[8 + 8 + 8], "bit depth 4");
        byte[] plte = TestImages.Chunk(png, "PLTE");
        LabelMap labels = new SegmentationMaskLoader().Load(png);
        for (int y = 0; y < 9; y++)
        {
            for (int x = 0; x < 11; x++)
            {
                int index = labels.Labels[(y * 11) + x];
                Assert.AreEqual(mask[x, y], new Rgb24(plte[3 * index], plte[(3 * index) + 1], plte[(3 * index) + 2]), $"pixel ({x}, {y}) index {index}");
            }
        }
    }

    [TestMethod]
    public void VocColourMaskMapsClassesAndTheBorderToIgnore()
    {
        Assert.AreEqual(MaskColorTable.Rgb(128, 0, 0), Palettes.PascalVocColormap[1]);
        Assert.AreEqual(MaskColorTable.Rgb(0, 128, 0), Palettes.PascalVocColormap[2]);
        Assert.AreEqual(MaskColorTable.Rgb(128, 128, 128), Palettes.PascalVocColormap[7]);
        Assert.AreEqual(MaskColorTable.Rgb(64, 0, 0), Palettes.PascalVocColormap[8]);
        Assert.AreEqual(MaskColorTable.Rgb(0, 64, 128), Palettes.PascalVocColormap[20]);
        Assert.AreEqual(MaskColorTable.Rgb(224, 224, 192), Palettes.PascalVocColormap[255]);
        Assert.AreEqual(22, Palettes.PascalVoc.Entries.Count);

        int[] expected = [0, 15, 20, 255, 1, 7];
        using var mask = new Image<Rgb24>(6, 1);
        for (int x = 0; x < 6; x++)
        {
            int c = Palettes.PascalVocColormap[expected[x]];
            mask[x, 0] = new Rgb24((byte)(c >> 16), (byte)(c >> 8), (byte)c);
        }

        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc, ClassCount = 21 }).Load(TestImages.Png(mask));
        CollectionAssert.AreEqual(expected, labels.Labels);
    }

    [TestMethod]
    public void CityscapesColoursMapToTrainIds()
    {
        Assert.AreEqual(29, Palettes.Cityscapes.Entries.Count);
        Assert.IsTrue(Palettes.Cityscapes.TryGetClass(128, 64, 128, out int road));
        Assert.AreEqual(0, road);
        Assert.IsTrue(Palettes.Cityscapes.TryGetClass(0, 0, 142, out int car));
        Assert.AreEqual(13, car);
        Assert.IsTrue(Palettes.Cityscapes.TryGetClass(119, 11, 32, out int bicycle));
        Assert.AreEqual(18, bicycle);
        Assert.IsTrue(Palettes.Cityscapes.TryGetClass(0, 0, 0, out int unlabeled));
        Assert.AreEqual(255, unlabeled);
    }

    [TestMethod]
    public void UnknownColourThrowsNamingFileColourAndPixelOrMapsToIgnore()
    {
        using var mask = new Image<Rgb24>(3, 2, new Rgb24(128, 0, 0));
        mask[2, 1] = new Rgb24(1, 2, 3);
        using var folder = new TempFolder();
        string path = folder.Write("voc.png", TestImages.Png(mask));
        var error = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc }).Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "(1, 2, 3)");
        StringAssert.Contains(error.Message, "(2, 1)");

        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc, UnknownColorsAsIgnore = true }).Load(path);
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1, 1, 255 }, labels.Labels);
    }

    [TestMethod]
    public void BinaryMaskMaps0And255To0And1()
    {
        using Image<L8> mask = TestImages.Gray(4, 2, (x, y) => (byte)((x + y) % 2 == 0 ? 0 : 255));
        LabelMap labels = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Binary, ClassCount = 2 }).Load(TestImages.Png(mask));
        CollectionAssert.AreEqual(new[] { 0, 1, 0, 1, 1, 0, 1, 0 }, labels.Labels);
    }

    [TestMethod]
    public void ValuesOutsideTheClassesThrowNamingFileAndValue()
    {
        using Image<L8> mask = TestImages.Gray(4, 4, (x, y) => (byte)(x == 3 && y == 2 ? 7 : 1));
        using var folder = new TempFolder();
        string path = folder.Write("mask.png", TestImages.Png(mask));
        var error = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 }).Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "value 7");
        StringAssert.Contains(error.Message, "(3, 2)");
        Assert.AreEqual(7, new SegmentationMaskLoader(new MaskOptions { ClassCount = 5, IgnoreIndex = 7 }).Load(path).Labels[11]);
    }

    [TestMethod]
    public void ColourImageReadAsIndexMaskThrows()
    {
        using var mask = new Image<Rgb24>(2, 2, new Rgb24(3, 3, 3));
        mask[1, 1] = new Rgb24(3, 4, 3);
        Assert.AreEqual(3, new SegmentationMaskLoader().Load(TestImages.Png(TestImages.Gray(2, 2, (_, _) => 3))).Labels[3]);
        Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader().Load(TestImages.Png(mask)));
    }

    [TestMethod]
    public void MaskTakesTheImageGeometryWithIgnorePadding()
    {
        using var folder = new TempFolder();
        using Image<Rgb24> image = TestImages.Gradient(20, 10);
        using Image<L8> mask = TestImages.Gray(20, 10, (x, _) => (byte)(x / 5));
        string imagePath = folder.Write("image.png", TestImages.Png(image));
        string maskPath = folder.Write("mask.png", TestImages.Png(mask));
        var options = new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 40, Height = 40 };
        ImageTensor tensor = new SegmentationImageLoader(options).Load(imagePath);
        var loader = new SegmentationMaskLoader(new MaskOptions { ClassCount = 4 });
        LabelMap labels = loader.Load(maskPath, tensor.Geometries[0]);
        Assert.AreEqual(40, labels.Width);
        Assert.AreEqual(40, labels.Height);
        Assert.AreEqual(255, labels.Labels[0]);
        Assert.AreEqual(0, labels.Labels[(10 * 40) + 0]);
        Assert.AreEqual(3, labels.Labels[(29 * 40) + 39]);
        Assert.AreEqual(255, labels.Labels[(30 * 40) + 39]);
        int[] restored = MaskGeometry.Restore(labels.Labels, tensor.Geometries[0]);
        CollectionAssert.AreEqual(loader.Load(maskPath).Labels, restored);

        int[] batch = loader.LoadBatch([maskPath, maskPath], [tensor.Geometries[0], tensor.Geometries[0]]);
        Assert.AreEqual(2 * 1600, batch.Length);
        CollectionAssert.AreEqual(labels.Labels, batch.AsSpan(1600).ToArray());
    }

    /// <summary>
    /// A geometry that neither resizes nor pads gives the decoded mask itself, the same labels as a load at its own
    /// size; one that pads (letterbox) or resizes (stretch) still goes through the nearest-neighbour resample.
    /// </summary>
    [TestMethod]
    public void GeometryThatLeavesTheMaskAsItIsGivesItsOwnLabels()
    {
        using var folder = new TempFolder();
        using Image<L8> mask = TestImages.Gray(12, 7, (x, y) => (byte)((x + (3 * y)) % 5));
        string maskPath = folder.Write("mask.png", TestImages.Png(mask));
        var loader = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 });
        int[] own = loader.Load(maskPath).Labels;

        LabelMap same = loader.Load(maskPath, ImageGeometry.Compute(12, 7, new ImageTensorOptions()));
        Assert.AreEqual(12, same.Width);
        Assert.AreEqual(7, same.Height);
        CollectionAssert.AreEqual(own, same.Labels);
        CollectionAssert.AreEqual(own, loader.Load(File.ReadAllBytes(maskPath), ImageGeometry.Compute(12, 7, new ImageTensorOptions())).Labels);

        ImageGeometry letterbox = ImageGeometry.Compute(12, 7, new ImageTensorOptions { Width = 12, Height = 12, ResizeMode = ImageResizeMode.Letterbox });
        LabelMap padded = loader.Load(maskPath, letterbox);
        Assert.AreEqual(144, padded.Labels.Length);
        Assert.AreEqual(loader.PaddingLabel, padded.Labels[0], "the letterbox's top row is padding");
        var expected = new int[144];
        MaskGeometry.Apply(own, 12, 7, letterbox, loader.PaddingLabel, expected);
        CollectionAssert.AreEqual(expected, padded.Labels);

        ImageGeometry stretch = ImageGeometry.Compute(12, 7, new ImageTensorOptions { Width = 6, Height = 7, ResizeMode = ImageResizeMode.Stretch });
        LabelMap halved = loader.Load(maskPath, stretch);
        CollectionAssert.AreEqual(Enumerable.Range(0, 42).Select(i => own[((i / 6) * 12) + ((i % 6) * 2) + 1]).ToArray(), halved.Labels, "nearest neighbour: column 2x + 1 of 12");
    }

    [TestMethod]
    public void MaskOfAnotherSizeThrowsWhenCheckedAndIsResizedOtherwise()
    {
        using var folder = new TempFolder();
        using Image<L8> mask = TestImages.Gray(10, 5, (x, _) => (byte)(x / 5));
        string maskPath = folder.Write("small.png", TestImages.Png(mask));
        ImageGeometry geometry = ImageGeometry.Compute(20, 10, new ImageTensorOptions());
        var error = Assert.ThrowsExactly<MaskSizeMismatchException>(() => new SegmentationMaskLoader().Load(maskPath, geometry));
        StringAssert.Contains(error.Message, maskPath);
        StringAssert.Contains(error.Message, "10x5");
        StringAssert.Contains(error.Message, "20x10");

        Assert.ThrowsExactly<MaskSizeMismatchException>(() => new SegmentationMaskLoader().Load(File.ReadAllBytes(maskPath), geometry));
        LabelMap resized = new SegmentationMaskLoader(new MaskOptions { RequireSameSize = false }).Load(maskPath, geometry);
        CollectionAssert.AreEqual(resized.Labels, new SegmentationMaskLoader(new MaskOptions { RequireSameSize = false }).Load(File.ReadAllBytes(maskPath), geometry).Labels);
        using (var stream = File.OpenRead(maskPath))
        {
            Assert.AreEqual(50, new SegmentationMaskLoader().Load(stream).Labels.Length);
        }

        Assert.AreEqual(200, resized.Labels.Length);
        Assert.AreEqual(0, resized.Labels[9]);
        Assert.AreEqual(1, resized.Labels[10]);
    }

    [TestMethod]
    public void OptionsAreValidated()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 21, IgnoreIndex = 3 }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationMaskLoader(new MaskOptions { UnknownColorsAsIgnore = true, IgnoreIndex = null, Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc }));
        Assert.ThrowsExactly<ArgumentException>(() => new MaskColorTable(new Dictionary<int, int> { [0x1000000] = 1 }));
    }
}
