using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// The loaders' errors that an option fixes are typed, derive from the documented exception and carry what was wrong
/// as data (the command line words its own message from it); their messages still name the API option.
/// </summary>
[TestClass]
public sealed class TypedLoaderExceptionTests
{
    [TestMethod]
    public void AnImageOverMaxPixelsCarriesItsSizeAndTheLimitAsData()
    {
        using var temp = new TempDirectory();
        string path = temp.File("wide.png");
        using (var image = new Image<Rgb24>(7, 3))
        {
            image.SaveAsPng(path);
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = 20 }).Load(path));
        Assert.IsTrue(PixelLimitExceeded.TryGetFrom(e, out PixelLimitExceeded? details));
        Assert.AreEqual(new PixelLimitExceeded(path, 7, 3, 20), details);
        Assert.AreEqual(21L, details.Pixels);
        StringAssert.Contains(e.Message, "ImageTensorOptions.MaxPixels");

        var mask = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationMaskLoader(new MaskOptions { MaxPixels = 19 }).Load(path));
        Assert.IsTrue(PixelLimitExceeded.TryGetFrom(mask, out PixelLimitExceeded? maskDetails));
        Assert.AreEqual((7, 3, 19L), (maskDetails.Width, maskDetails.Height, maskDetails.Limit));

        // Any other decoding failure carries no such details.
        File.WriteAllText(path, "not an image");
        var other = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationImageLoader(new ImageTensorOptions()).Load(path));
        Assert.IsFalse(PixelLimitExceeded.TryGetFrom(other, out _));
    }

    [TestMethod]
    public void AMaskOfAnotherSizeIsAMaskSizeMismatchExceptionWithBothSizes()
    {
        using var temp = new TempDirectory();
        string path = temp.File("mask.png");
        using (var mask = new Image<L8>(3, 2))
        {
            mask.SaveAsPng(path);
        }

        ImageGeometry geometry = ImageGeometry.Compute(6, 5, new ImageTensorOptions());
        var e = Assert.ThrowsExactly<MaskSizeMismatchException>(() => new SegmentationMaskLoader(new MaskOptions()).Load(path, geometry));
        Assert.IsInstanceOfType<ArgumentException>(e);
        Assert.AreEqual(path, e.MaskSource);
        Assert.AreEqual((3, 2, 6, 5), (e.MaskWidth, e.MaskHeight, e.ImageWidth, e.ImageHeight));
        Assert.AreEqual("path", e.ParamName);
        StringAssert.Contains(e.Message, "MaskOptions.RequireSameSize");

        // RequireSameSize = false resizes instead, nearest neighbour: a constant mask stays that constant.
        int[] labels = new SegmentationMaskLoader(new MaskOptions { RequireSameSize = false }).Load(path, geometry).Labels;
        Assert.AreEqual(30, labels.Length);
        Assert.IsTrue(labels.All(l => l == 0));
    }

    [TestMethod]
    public void ABadMaskPixelIsAnInvalidMaskPixelExceptionNamingThePixel()
    {
        using var temp = new TempDirectory();
        string gray = temp.File("gray.png");
        using (var mask = new Image<L8>(4, 3))
        {
            mask[2, 1] = new L8(9);
            mask.SaveAsPng(gray);
        }

        var e = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions { ClassCount = 3 }).Load(gray));
        Assert.IsInstanceOfType<ArgumentException>(e);
        Assert.AreEqual((MaskPixelProblem.LabelOutOfRange, 2, 1, 9, (int?)3, (int?)255), (e.Problem, e.X, e.Y, e.Value, e.ClassCount, e.IgnoreIndex));
        Assert.AreEqual(gray, e.MaskSource);

        string color = temp.File("color.png");
        using (var mask = new Image<Rgb24>(4, 3, new Rgb24(200, 10, 30)))
        {
            mask.SaveAsPng(color);
        }

        var c = Assert.ThrowsExactly<InvalidMaskPixelException>(() => new SegmentationMaskLoader(new MaskOptions()).Load(color));
        Assert.AreEqual(MaskPixelProblem.ColorInIndexMask, c.Problem);
        Assert.AreEqual(MaskColorTable.Rgb(200, 10, 30), c.Value);

        var table = new SegmentationMaskLoader(new MaskOptions { Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc });
        var u = Assert.ThrowsExactly<InvalidMaskPixelException>(() => table.Load(color));
        Assert.AreEqual((MaskPixelProblem.UnknownColor, 0, 0, MaskColorTable.Rgb(200, 10, 30)), (u.Problem, u.X, u.Y, u.Value));
    }
}
