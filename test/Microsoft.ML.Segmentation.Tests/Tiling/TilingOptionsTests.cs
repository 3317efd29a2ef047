using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>Defaults (MONAI's), deep clone, and validation messages that name the option.</summary>
[TestClass]
public sealed class TilingOptionsTests
{
    [TestMethod]
    public void DefaultsAreMonais()
    {
        var options = new TilingOptions();
        Assert.AreEqual(0, options.TileSize.Count);
        CollectionAssert.AreEqual(new[] { 0.25 }, options.Overlap.ToArray());
        Assert.AreEqual(TileBlend.Constant, options.Blend);
        CollectionAssert.AreEqual(new[] { 0.125 }, options.SigmaScale.ToArray());
        Assert.AreEqual(1, options.TilesPerRun);
        Assert.AreEqual(0f, options.PaddingValue);
        options.Validate(2);
    }

    [TestMethod]
    public void CloneCopiesTheLists()
    {
        var options = new TilingOptions { TileSize = new List<int> { 8, 8 }, Overlap = new List<double> { 0.5 }, Blend = TileBlend.Gaussian, TilesPerRun = 4, PaddingValue = -1 };
        TilingOptions copy = options.Clone();
        options.TileSize[0] = 99;
        options.Overlap[0] = 0.1;
        Assert.AreEqual(8, copy.TileSize[0]);
        Assert.AreEqual(0.5, copy.Overlap[0]);
        Assert.AreEqual(TileBlend.Gaussian, copy.Blend);
        Assert.AreEqual(4, copy.TilesPerRun);
        Assert.AreEqual(-1f, copy.PaddingValue);
    }

    [TestMethod]
    public void NullListsRestoreDefaults()
    {
        var options = new TilingOptions { TileSize = null!, Overlap = null!, SigmaScale = null! };
        Assert.AreEqual(0, options.TileSize.Count);
        Assert.AreEqual(0.25, options.Overlap[0]);
        Assert.AreEqual(0.125, options.SigmaScale[0]);
    }

    public static IEnumerable<object[]> Invalid()
    {
        yield return new object[] { new TilingOptions { Overlap = [1.0] }, "Overlap" };
        yield return new object[] { new TilingOptions { Overlap = [-0.1] }, "Overlap" };
        yield return new object[] { new TilingOptions { Overlap = [double.NaN] }, "Overlap" };
        yield return new object[] { new TilingOptions { Overlap = [] }, "Overlap" };
        yield return new object[] { new TilingOptions { SigmaScale = [0] }, "SigmaScale" };
        yield return new object[] { new TilingOptions { SigmaScale = [double.PositiveInfinity] }, "SigmaScale" };
        yield return new object[] { new TilingOptions { TilesPerRun = 0 }, "TilesPerRun" };
        yield return new object[] { new TilingOptions { PaddingValue = float.NaN }, "PaddingValue" };
        yield return new object[] { new TilingOptions { Blend = (TileBlend)7 }, "Blend" };
        yield return new object[] { new TilingOptions { TileSize = [8, 8, 8] }, "TileSize" };
        yield return new object[] { new TilingOptions { Overlap = [0.1, 0.2, 0.3] }, "Overlap" };
        yield return new object[] { new TilingOptions { SigmaScale = [0.1, 0.2, 0.3] }, "SigmaScale" };
    }

    [TestMethod]
    [DynamicData(nameof(Invalid))]
    public void ValidationNamesTheOption(TilingOptions options, string name)
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => options.Validate(2));
        Assert.AreEqual(name, ex.ParamName);
        StringAssert.Contains(ex.Message, $"TilingOptions.{name}");
    }

    [TestMethod]
    public void TheKernelValidatesToo()
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => SlidingWindowInference.Run(new float[16], [1, 1, 4, 4], new TilingOptions { Overlap = [1.5] }, (w, s) => [new FloatTensor(w.ToArray(), s.ToArray())]));
        StringAssert.Contains(ex.Message, "TilingOptions.Overlap must be in [0, 1)");
    }
}
