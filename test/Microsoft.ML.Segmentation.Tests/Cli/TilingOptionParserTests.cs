using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>segml's --tile and --tta flags become the library's options exactly; a companion flag alone is an error, never ignored.</summary>
[TestClass]
public sealed class TilingOptionParserTests
{
    private static ModelSettings Parse(params string[] args) => ModelSettings.From(ParsedOptions.Parse(["--model", "m.onnx", .. args], ModelSettings.Specs));

    [TestMethod]
    public void TileFlagsMapOntoTilingOptions()
    {
        TilingOptions tiling = Parse("--tile", "512x256", "--tile-overlap", "0.3", "--blend", "gaussian", "--sigma-scale", "0.25", "--tile-batch", "6").Session.Tiling!;
        CollectionAssert.AreEqual(new[] { 256, 512 }, tiling.TileSize.ToArray(), "height, then width");
        Assert.AreEqual(0.3, tiling.Overlap.Single(), "parsed as a double: 0.3f would move MONAI's scan interval");
        Assert.AreEqual(TileBlend.Gaussian, tiling.Blend);
        Assert.AreEqual(0.25, tiling.SigmaScale.Single());
        Assert.AreEqual(6, tiling.TilesPerRun);
        Assert.IsNull(Parse().Session.Tiling);
        Assert.IsNull(Parse().Session.TestTimeAugmentation);
    }

    [TestMethod]
    public void TtaFlagsMapOntoTestTimeAugmentationOptions()
    {
        TestTimeAugmentationOptions tta = Parse("--tta", "flip", "--tta-scales", "0.75,1,1.25", "--tta-merge", "logits").Session.TestTimeAugmentation!;
        Assert.AreEqual(TtaFlips.HorizontalAndVertical, tta.Flips);
        CollectionAssert.AreEqual(new[] { 0.75, 1, 1.25 }, tta.Scales.ToArray());
        Assert.AreEqual(TtaMerge.Logits, tta.Merge);
        Assert.AreEqual(TtaFlips.D4, Parse("--tta", "d4", "--tile", "64x64").Session.TestTimeAugmentation!.Flips);
    }

    [TestMethod]
    [DataRow(new[] { "--tile-overlap", "0.5" }, "needs --tile")]
    [DataRow(new[] { "--blend", "gaussian" }, "needs --tile")]
    [DataRow(new[] { "--tile", "64x64", "--sigma-scale", "0.2" }, "--blend gaussian")]
    [DataRow(new[] { "--tile", "64x64", "--tile-overlap", "1" }, "--tile-overlap")]
    [DataRow(new[] { "--tile", "64" }, "WIDTHxHEIGHT")]
    [DataRow(new[] { "--tile", "64x32", "--tta", "d4" }, "square")]
    [DataRow(new[] { "--tta-scales", "1,0" }, "above 0")]
    [DataRow(new[] { "--tta", "mirror" }, "--tta")]
    public void BadTilingFlagsAreUsageErrors(string[] args, string expected)
        => StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse(args)).Message, expected);
}
