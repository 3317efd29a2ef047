using Microsoft.ML.Segmentation.Tiling;
using static Microsoft.ML.Segmentation.Tests.Tiling.TestTimeAugmentationModels;

namespace Microsoft.ML.Segmentation.Tests.Tiling;

/// <summary>
/// Test-time augmentation of one batch of windows against independent truths: equivariant models are unchanged by
/// any flip set (and Probabilities merge is then their softmax / sigmoid), non-equivariant models match a brute-force
/// oracle written index by index, scales match a bilinear resize written from PyTorch's definition (and hand-checked
/// numbers), and the batching, the output size and the errors are as documented.
/// </summary>
[TestClass]
public sealed class TestTimeAugmentationTests
{
    private const double Tolerance = 2e-5;

    public static IEnumerable<object[]> FlipSets()
        => Enum.GetValues<TtaFlips>().Select(f => new object[] { f });

    public static IEnumerable<object[]> FlipSetsAndMerges()
        => from f in Enum.GetValues<TtaFlips>() from m in Enum.GetValues<TtaMerge>() select new object[] { f, m };

    [TestMethod]
    [DynamicData(nameof(FlipSets))]
    public void EquivariantModelsGiveThePlainOutputUnderEveryFlipSet(TtaFlips flips)
    {
        // D4 needs a square window; the flips alone are checked on a non-square one.
        (int height, int width) = flips == TtaFlips.D4 ? (7, 7) : (5, 8);
        foreach ((string name, WindowModel model) in new (string, WindowModel)[] { ("2x+1", Affine), ("3x3 mean", MeanFilter) })
        {
            foreach (int channels in new[] { 1, 3 })
            {
                double[] window = Smooth(channels, height, width).Select((v, q) => v + (0.01 * q * q % 1.3)).ToArray();
                (double[] plain, int k, _, _) = model(window, channels, height, width);
                int[] shape = [1, channels, height, width];

                FloatTensor logits = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(model), new() { Flips = flips, Merge = TtaMerge.Logits }, false)(ToFloat(window), shape)[0];
                CollectionAssert.AreEqual(new[] { 1, k, height, width }, logits.Shape.ToArray());
                AssertClose(plain, logits.Values.Span, Tolerance, $"{name}, {flips}, C={channels}, logits");

                double[] probabilities = k == 1 ? TestTimeAugmentationOracle.Sigmoid(plain) : TestTimeAugmentationOracle.Softmax(plain, k, height * width);
                FloatTensor merged = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(model), new() { Flips = flips }, false)(ToFloat(window), shape)[0];
                AssertClose(probabilities, merged.Values.Span, Tolerance, $"{name}, {flips}, C={channels}, probabilities");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(FlipSetsAndMerges))]
    public void NonEquivariantModelMatchesTheBruteForceMean(TtaFlips flips, TtaMerge merge)
    {
        (int height, int width) = flips == TtaFlips.D4 ? (6, 6) : (5, 7);
        const int channels = 3;
        double[] window = TilingTestPredictors.Random(channels * height * width, 11).Select(v => (double)v).ToArray();
        double[] expected = TestTimeAugmentationOracle.Merge(window, channels, height, width, Ramp, flips, [1.0], merge, false, height, width);

        FloatTensor actual = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(Ramp), new() { Flips = flips, Merge = merge }, false)(ToFloat(window), [1, channels, height, width])[0];
        AssertClose(expected, actual.Values.Span, Tolerance, $"{flips}, {merge}");

        if (flips != TtaFlips.None)
        {
            // The oracle is not vacuous: the augmented mean differs from the plain model.
            double[] plain = Ramp(window, channels, height, width).Item1;
            double[] plainMerged = merge == TtaMerge.Logits ? plain : TestTimeAugmentationOracle.Softmax(plain, channels, height * width);
            Assert.IsTrue(plainMerged.Zip(expected).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "TTA changes a position-aware model's output");
        }
    }

    [TestMethod]
    public void ColumnRampUnderLeftRightFlipsByHand()
    {
        // x = [[1, 2], [3, 4]], y = x + j: as it is [[1, 3], [3, 5]]; mirrored, x' = [[2, 1], [4, 3]], y' = [[2, 2], [4, 4]],
        // mirrored back [[2, 2], [4, 4]]; the mean is x + 0.5 = [[1.5, 2.5], [3.5, 4.5]].
        WindowPredictor tta = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(ColumnRamp), new() { Flips = TtaFlips.Horizontal, Merge = TtaMerge.Logits }, false);
        CollectionAssert.AreEqual(new[] { 1.5f, 2.5f, 3.5f, 4.5f }, tta([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray());

        // Top-bottom flips leave a column ramp alone; the four flips give x + (w - 1) / 2 as well.
        WindowPredictor vertical = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(ColumnRamp), new() { Flips = TtaFlips.Vertical, Merge = TtaMerge.Logits }, false);
        CollectionAssert.AreEqual(new[] { 1f, 3f, 3f, 5f }, vertical([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray());
        WindowPredictor both = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(ColumnRamp), new() { Flips = TtaFlips.HorizontalAndVertical, Merge = TtaMerge.Logits }, false);
        CollectionAssert.AreEqual(new[] { 1.5f, 2.5f, 3.5f, 4.5f }, both([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray());

        // D4 on the 2 × 2 window: the ramp j becomes, after each of the 8 transforms is undone, j, i, 1 - j or 1 - i
        // (two transforms each), so the mean ramp is 0.5 everywhere again.
        WindowPredictor d4 = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(ColumnRamp), new() { Flips = TtaFlips.D4, Merge = TtaMerge.Logits }, false);
        CollectionAssert.AreEqual(new[] { 1.5f, 2.5f, 3.5f, 4.5f }, d4([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray());
    }

    [TestMethod]
    public void RotationsAreUndoneOnARowAndColumnRampByHand()
    {
        // A 3 × 3 zero window through y = 10·i + j. Under rot90 (torch.rot90) transformed pixel (i, j) shows source
        // (j, 2 − i), so once undone source pixel (r, c) holds 10·(2 − c) + r. Over the 8 symmetries the coordinates
        // (a, b) of source pixel (r, c) run over its orbit, where a and b each average 1, so the mean is 11 everywhere.
        WindowModel grid = (x, channels, height, width) => (x.Select((v, q) => v + (10 * (q / width)) + (q % width)).ToArray(), channels, height, width);
        float[] merged = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(grid), new() { Flips = TtaFlips.D4, Merge = TtaMerge.Logits }, false)(new float[9], [1, 1, 3, 3])[0].Values.ToArray();
        foreach (float v in merged)
        {
            Assert.AreEqual(11f, v, 1e-5f);
        }
    }

    [TestMethod]
    public void ProbabilitiesFromTheModelAreAveragedAsTheyAre()
    {
        // A model whose scores are already in (0, 1): the Probabilities merge must not activate them again.
        WindowModel probabilities = (x, c, h, w) => (Ramp(x, c, h, w).Item1.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), c, h, w);
        double[] window = Smooth(2, 6, 6);
        float[] input = ToFloat(window);
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.D4 };
        float[] asProbabilities = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(probabilities), options, true)(input, [1, 2, 6, 6])[0].Values.ToArray();
        double[] expected = TestTimeAugmentationOracle.Merge(window, 2, 6, 6, probabilities, TtaFlips.D4, [1.0], TtaMerge.Logits, false, 6, 6);
        AssertClose(expected, asProbabilities, Tolerance, "probabilities averaged directly");

        float[] activatedAgain = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(probabilities), options, false)(input, [1, 2, 6, 6])[0].Values.ToArray();
        Assert.IsTrue(activatedAgain.Zip(asProbabilities).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "scoresAreProbabilities: false softmaxes the scores again");
    }

    [TestMethod]
    public void AConstantImageThroughAPointwiseModelIsScaleInvariant()
    {
        float[] image = Enumerable.Repeat(0.37f, 2 * 9 * 7).ToArray();
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.HorizontalAndVertical, Scales = [0.5, 1, 2, 0.75, 1.3], Merge = TtaMerge.Logits };
        FloatTensor merged = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(Affine), options, false)(image, [1, 2, 9, 7])[0];
        CollectionAssert.AreEqual(new[] { 1, 2, 9, 7 }, merged.Shape.ToArray());
        AssertClose(Enumerable.Repeat((2 * 0.37) + 1, 2 * 9 * 7).ToArray(), merged.Values.Span, 1e-6, "constant");
    }

    [TestMethod]
    [DataRow(TtaFlips.None, TtaMerge.Logits)]
    [DataRow(TtaFlips.Horizontal, TtaMerge.Logits)]
    [DataRow(TtaFlips.HorizontalAndVertical, TtaMerge.Probabilities)]
    [DataRow(TtaFlips.D4, TtaMerge.Probabilities)]
    public void ScalesMatchABruteForceBilinearResize(TtaFlips flips, TtaMerge merge)
    {
        (int height, int width) = flips == TtaFlips.D4 ? (8, 8) : (8, 6);
        const int channels = 2;
        double[] window = Smooth(channels, height, width);
        double[] scales = [0.5, 1, 2];
        foreach ((string name, WindowModel model) in new (string, WindowModel)[] { ("3x3 mean", MeanFilter), ("ramp", Ramp) })
        {
            double[] expected = TestTimeAugmentationOracle.Merge(window, channels, height, width, model, flips, scales, merge, false, height, width);
            FloatTensor actual = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(model), new() { Flips = flips, Scales = scales, Merge = merge }, false)(ToFloat(window), [1, channels, height, width])[0];
            AssertClose(expected, actual.Values.Span, 1e-5, $"{name}, {flips}, {merge}");
        }
    }

    [TestMethod]
    public void TheOraclesBilinearResizeIsPyTorchs()
    {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False).
        double[] up = TestTimeAugmentationOracle.Bilinear([1, 2, 3, 4], 1, 2, 2, 4, 4);
        CollectionAssert.AreEqual(
            new[] { 1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0 }, up);

        // Back to 2 × 2: source coordinates (d + 0.5)·2 − 0.5 = 0.5 and 2.5, the mean of each 2 × 2 block.
        CollectionAssert.AreEqual(new[] { 1.375, 2.125, 2.875, 3.625 }, TestTimeAugmentationOracle.Bilinear(up, 1, 4, 4, 2, 2));
    }

    [TestMethod]
    public void ScaleTwoOfATinyWindowByHand()
    {
        // The identity model at scale 2 (2 × 2 → 4 × 4 → 2 × 2): the numbers of the test above.
        WindowModel identity = (x, c, h, w) => (x, c, h, w);
        float[] twice = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(identity), new() { Scales = [2], Merge = TtaMerge.Logits }, false)([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray();
        CollectionAssert.AreEqual(new[] { 1.375f, 2.125f, 2.875f, 3.625f }, twice);

        // With scale 1 beside it: the mean of x and the above.
        float[] both = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(identity), new() { Scales = [2, 1], Merge = TtaMerge.Logits }, false)([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray();
        CollectionAssert.AreEqual(new[] { 1.1875f, 2.0625f, 2.9375f, 3.8125f }, both);

        // Scale 0.5 of a 2 × 2 window is 1 × 1, the mean of the four (source 0.5, 0.5); back up it is 2.5 everywhere.
        float[] half = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(identity), new() { Scales = [0.5], Merge = TtaMerge.Logits }, false)([1, 2, 3, 4], [1, 1, 2, 2])[0].Values.ToArray();
        CollectionAssert.AreEqual(new[] { 2.5f, 2.5f, 2.5f, 2.5f }, half);
    }

    [TestMethod]
    [DataRow(TtaFlips.HorizontalAndVertical)]
    [DataRow(TtaFlips.D4)]
    public void AStridedOutputIsTransformedAndResizedBackAtItsOwnSize(TtaFlips flips)
    {
        const int channels = 2;
        double[] window = Smooth(channels, 8, 8, phase: 0.4);
        double[] scales = [1, 0.5];
        double[] expected = TestTimeAugmentationOracle.Merge(window, channels, 8, 8, PooledRamp, flips, scales, TtaMerge.Probabilities, false, 4, 4);
        FloatTensor actual = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(PooledRamp), new() { Flips = flips, Scales = scales }, false)(ToFloat(window), [1, channels, 8, 8])[0];
        CollectionAssert.AreEqual(new[] { 1, channels, 4, 4 }, actual.Shape.ToArray());
        AssertClose(expected, actual.Values.Span, Tolerance, flips.ToString());
    }

    [TestMethod]
    public void WithoutScaleOneTheOutputSizeFollowsTheWindow()
    {
        // Only scale 2: the pooled head gives 8 × 8 for the 16 × 16 copy of an 8 × 8 window, i.e. 4 × 4 unscaled.
        const int channels = 2;
        double[] window = Smooth(channels, 8, 8);
        double[] expected = TestTimeAugmentationOracle.Merge(window, channels, 8, 8, PooledRamp, TtaFlips.Horizontal, [2.0], TtaMerge.Logits, false, 4, 4);
        FloatTensor actual = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(PooledRamp), new() { Flips = TtaFlips.Horizontal, Scales = [2], Merge = TtaMerge.Logits }, false)(ToFloat(window), [1, channels, 8, 8])[0];
        CollectionAssert.AreEqual(new[] { 1, channels, 4, 4 }, actual.Shape.ToArray());
        AssertClose(expected, actual.Values.Span, Tolerance, "scale 2 only");
    }

    [TestMethod]
    public void EachTransformAndScaleIsOneInnerRunOfTheWholeBatch()
    {
        const int batch = 3;
        const int channels = 2;
        var calls = new List<int[]>();
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Scales = [1, 0.5, 1.5] };
        WindowPredictor tta = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(Ramp, calls), options, false);
        double[][] windows = Enumerable.Range(0, batch).Select(b => Smooth(channels, 6, 6, phase: b)).ToArray();
        FloatTensor merged = tta(ToFloat(windows.SelectMany(w => w).ToArray()), [batch, channels, 6, 6])[0];

        Assert.AreEqual(24, options.RunsPerWindow);
        Assert.AreEqual(24, calls.Count, "8 transforms × 3 scales");
        Assert.IsTrue(calls.All(c => c[0] == batch && c[1] == channels), "every run holds the whole batch");
        Assert.AreEqual(8, calls.Count(c => c[2] == 6 && c[3] == 6));
        Assert.AreEqual(8, calls.Count(c => c[2] == 3 && c[3] == 3));
        Assert.AreEqual(8, calls.Count(c => c[2] == 9 && c[3] == 9));
        for (int b = 0; b < batch; b++)
        {
            double[] expected = TestTimeAugmentationOracle.Merge(windows[b], channels, 6, 6, Ramp, TtaFlips.D4, options.Scales.ToArray(), TtaMerge.Probabilities, false, 6, 6);
            AssertClose(expected, merged.Values.Span.Slice(b * expected.Length, expected.Length), Tolerance, $"window {b}");
        }

        // A second, smaller batch through the same wrapper (the last run of a tiling) reuses its buffers correctly.
        FloatTensor single = tta(ToFloat(windows[2]), [1, channels, 6, 6])[0];
        double[] last = TestTimeAugmentationOracle.Merge(windows[2], channels, 6, 6, Ramp, TtaFlips.D4, options.Scales.ToArray(), TtaMerge.Probabilities, false, 6, 6);
        AssertClose(last, single.Values.Span, Tolerance, "second call");
    }

    [TestMethod]
    public void RunTreatsEachWholeImageAsOneWindow()
    {
        const int channels = 3;
        double[] first = Smooth(channels, 10, 10, phase: 0.1);
        double[] second = Smooth(channels, 10, 10, phase: 1.7);
        var options = new TestTimeAugmentationOptions { Flips = TtaFlips.D4, Scales = [0.75, 1] };
        FloatTensor merged = TestTimeAugmentation.Run(ToFloat(first.Concat(second).ToArray()), [2, channels, 10, 10], options, false, TestTimeAugmentationOracle.AsPredictor(Ramp));
        CollectionAssert.AreEqual(new[] { 2, channels, 10, 10 }, merged.Shape.ToArray());
        double[] expected = TestTimeAugmentationOracle.Merge(first, channels, 10, 10, Ramp, TtaFlips.D4, [0.75, 1.0], TtaMerge.Probabilities, false, 10, 10)
            .Concat(TestTimeAugmentationOracle.Merge(second, channels, 10, 10, Ramp, TtaFlips.D4, [0.75, 1.0], TtaMerge.Probabilities, false, 10, 10)).ToArray();
        AssertClose(expected, merged.Values.Span, Tolerance, "two images");
    }

    [TestMethod]
    public void MoreThanOneOutputIsNotSupported()
    {
        WindowPredictor twoHeads = (windows, shape) =>
        [
            new FloatTensor(windows.ToArray(), shape.ToArray()),
            new FloatTensor(windows.ToArray(), shape.ToArray()),
        ];
        WindowPredictor tta = TestTimeAugmentation.Wrap(twoHeads, new() { Flips = TtaFlips.Horizontal }, false);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => tta(new float[8], [1, 2, 2, 2]));
        StringAssert.Contains(error.Message, "one predictor output");
        StringAssert.Contains(error.Message, "returned 2");
    }

    [TestMethod]
    public void D4OnANonSquareWindowNamesTheOptionAndTheSize()
    {
        WindowPredictor tta = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(Affine), new() { Flips = TtaFlips.D4 }, false);
        var error = Assert.ThrowsExactly<ArgumentException>(() => tta(new float[48], [1, 1, 6, 8]));
        StringAssert.Contains(error.Message, "TestTimeAugmentationOptions.Flips");
        StringAssert.Contains(error.Message, "6x8");
        Assert.AreEqual("Flips", error.ParamName);

        var untiled = Assert.ThrowsExactly<ArgumentException>(() => TestTimeAugmentation.Run(new float[48], [1, 1, 8, 6], new() { Flips = TtaFlips.D4 }, false, TestTimeAugmentationOracle.AsPredictor(Affine)));
        StringAssert.Contains(untiled.Message, "8x6");
    }

    [TestMethod]
    public void WindowsMustBeTwoDimensional()
    {
        WindowPredictor tta = TestTimeAugmentation.Wrap(TestTimeAugmentationOracle.AsPredictor(Affine), new(), false);
        var error = Assert.ThrowsExactly<ArgumentException>(() => tta(new float[8], [1, 1, 2, 2, 2]));
        StringAssert.Contains(error.Message, "[B, C, H, W]");
        Assert.ThrowsExactly<ArgumentException>(() => tta(new float[7], [1, 1, 2, 4]));
    }

    [TestMethod]
    public void AnOutputOfTheWrongBatchIsRejected()
    {
        WindowPredictor wrong = (windows, shape) => [new FloatTensor(new float[4], [1, 1, 2, 2])];
        WindowPredictor tta = TestTimeAugmentation.Wrap(wrong, new(), false);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => tta(new float[8], [2, 1, 2, 2]));
        StringAssert.Contains(error.Message, "[2, K, H', W']");
    }
}
