using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>Defaults, deep clone, counts, and validation messages that name the option.</summary>
[TestClass]
public sealed class TestTimeAugmentationOptionsTests
{
    [TestMethod]
    public void DefaultsAreNoAugmentationAndTheMeanOfProbabilities()
    {
        var options = new TestTimeAugmentationOptions();
        Assert.AreEqual(TtaFlips.None, options.Flips);
        CollectionAssert.AreEqual(new[] { 1.0 }, options.Scales.ToArray());
        Assert.AreEqual(TtaMerge.Probabilities, options.Merge);
        Assert.AreEqual(1, options.RunsPerWindow);
        options.Validate();
        options.Validate(5, 7);
    }

    [TestMethod]
    [DataRow(TtaFlips.None, 1)]
    [DataRow(TtaFlips.Horizontal, 2)]
    [DataRow(TtaFlips.Vertical, 2)]
    [DataRow(TtaFlips.HorizontalAndVertical, 4)]
    [DataRow(TtaFlips.D4, 8)]
    public void TransformCounts(TtaFlips flips, int count)
    {
        var options = new TestTimeAugmentationOptions { Flips = flips, Scales = [0.5, 1, 2] };
        Assert.AreEqual(count, options.TransformCount);
        Assert.AreEqual(3 * count, options.RunsPerWindow);
    }

    [TestMethod]
    public void CloneCopiesTheScales()
    {
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Scales = [0.75, 1.25], Merge = TtaMerge.Logits };
        TestTimeAugmentationOptions copy = options.Clone();
        options.Scales[0] = 3;
        options.Flips = TtaFlips.None;
        CollectionAssert.AreEqual(new[] { 0.75, 1.25 }, copy.Scales.ToArray());
        Assert.AreEqual(TtaFlips.D4, copy.Flips);
        Assert.AreEqual(TtaMerge.Logits, copy.Merge);
    }

    [TestMethod]
    public void NullScalesRestoreTheDefault()
    {
        var options = new TestTimeAugmentationOptions { Scales = null! };
        CollectionAssert.AreEqual(new[] { 1.0 }, options.Scales.ToArray());
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(-0.5)]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    public void ScalesMustBeFiniteAndPositive(double scale)
    {
        var options = new TestTimeAugmentationOptions { Scales = [1, scale] };
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        Assert.AreEqual("Scales", error.ParamName);
        StringAssert.Contains(error.Message, "TestTimeAugmentationOptions.Scales");
    }

    [TestMethod]
    public void EmptyScalesAreRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TestTimeAugmentationOptions { Scales = [] }.Validate());
        Assert.AreEqual("Scales", error.ParamName);
        StringAssert.Contains(error.Message, "empty");
    }

    [TestMethod]
    public void UnknownEnumValuesAreRejected()
    {
        var flips = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TestTimeAugmentationOptions { Flips = (TtaFlips)42 }.Validate());
        Assert.AreEqual("Flips", flips.ParamName);
        StringAssert.Contains(flips.Message, "got 42");
        var merge = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TestTimeAugmentationOptions { Merge = (TtaMerge)7 }.Validate());
        Assert.AreEqual("Merge", merge.ParamName);
        StringAssert.Contains(merge.Message, "got 7");
    }

    [TestMethod]
    public void D4NeedsASquareWindow()
    {
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.D4 };
        options.Validate(16, 16);
        var error = Assert.ThrowsExactly<ArgumentException>(() => options.Validate(16, 12));
        Assert.AreEqual("Flips", error.ParamName);
        StringAssert.Contains(error.Message, "D4");
        StringAssert.Contains(error.Message, "16x12");

        // The flips alone suit any window.
        new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical }.Validate(16, 12);
    }

    [TestMethod]
    public void WrapValidatesAndCopiesTheOptions()
    {
        WindowPredictor identity = (windows, shape) => [new FloatTensor(windows.ToArray(), shape.ToArray())];
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TestTimeAugmentation.Wrap(identity, new() { Scales = [0] }, false));
        Assert.ThrowsExactly<ArgumentNullException>(() => TestTimeAugmentation.Wrap(null!, new(), false));
        Assert.ThrowsExactly<ArgumentNullException>(() => TestTimeAugmentation.Wrap(identity, null!, false));

        // Changing the options after wrapping changes nothing: D4 set later would reject this non-square window.
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.Horizontal, Merge = TtaMerge.Logits };
        WindowPredictor tta = TestTimeAugmentation.Wrap(identity, options, false);
        options.Flips = TtaFlips.D4;
        options.Merge = TtaMerge.Probabilities;
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, tta([1, 2, 3], [1, 1, 1, 3])[0].Values.ToArray());
    }

    [TestMethod]
    public void MergedScoresAreProbabilitiesUnlessLogitsAreAveraged()
    {
        Assert.IsTrue(new TestTimeAugmentationOptions().MergedScoresAreProbabilities(false));
        Assert.IsTrue(new TestTimeAugmentationOptions().MergedScoresAreProbabilities(true));
        Assert.IsFalse(new TestTimeAugmentationOptions { Merge = TtaMerge.Logits }.MergedScoresAreProbabilities(false));
        Assert.IsTrue(new TestTimeAugmentationOptions { Merge = TtaMerge.Logits }.MergedScoresAreProbabilities(true));
    }
}
