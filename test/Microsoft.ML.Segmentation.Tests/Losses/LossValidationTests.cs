using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class LossValidationTests
{
    private static readonly SegmentationShape Shape = new(1, 3, 2, 2);

    public static IEnumerable<object[]> Losses() => new ISegmentationLoss[]
    {
        new CrossEntropyLoss(), new BinaryCrossEntropyLoss(), new FocalLoss(), new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax }),
        new DiceLoss(), new JaccardLoss(), new TverskyLoss(), new GeneralizedDiceLoss(), new MatthewsCorrelationLoss(),
        new CombinedLoss((new CrossEntropyLoss(), 1), (new DiceLoss(), 1)),
        new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax }),
    }.Select(l => new object[] { l });

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void ShapeMismatchNamesTheInput(ISegmentationLoss loss)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[11], Shape, SegmentationTarget<double>.FromLabels(new int[4])));
        Assert.AreEqual("input", ex.ParamName);
        StringAssert.Contains(ex.Message, "12");
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void LabelOutOfRangeNamesTheTarget(ISegmentationLoss loss)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[12], Shape, SegmentationTarget<double>.FromLabels(new[] { 0, 1, 3, 2 }, 255)));
        Assert.AreEqual("target", ex.ParamName);
        StringAssert.Contains(ex.Message, "Label 3 at pixel 2");
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void InfiniteDenseTargetNamesItsElement(ISegmentationLoss loss)
    {
        // Past a vector's width in both types, so the vectorized scan and the loop naming the element both run.
        var shape = new SegmentationShape(1, 3, 7, 7);
        foreach (double bad in new[] { double.PositiveInfinity, double.NegativeInfinity })
        {
            foreach (int position in new[] { 0, 100, shape.ElementCount - 1 })
            {
                double[] dense = Enumerable.Range(0, shape.ElementCount).Select(i => i % 5 == 0 ? double.NaN : 0.5).ToArray();
                dense[position] = bad;
                var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[shape.ElementCount], shape, SegmentationTarget<double>.FromDense(dense)));
                Assert.AreEqual("target", ex.ParamName);
                StringAssert.Contains(ex.Message, $"element {position};");
                float[] single = dense.Select(v => (float)v).ToArray();
                ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(new float[shape.ElementCount], shape, SegmentationTarget<float>.FromDense(single), new float[shape.ElementCount]));
                StringAssert.Contains(ex.Message, $"element {position};");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void NonFiniteScoresAreRejected(ISegmentationLoss loss)
    {
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var input = new double[12];
            input[7] = bad;
            var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(input, Shape, SegmentationTarget<double>.FromLabels(new int[4])));
            Assert.AreEqual("input", ex.ParamName);
            StringAssert.Contains(ex.Message, "element 7");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void WrongGradientLengthIsRejected(ISegmentationLoss loss)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[12], Shape, SegmentationTarget<double>.FromLabels(new int[4]), new double[5]));
        Assert.AreEqual("inputGradient", ex.ParamName);
    }

    [TestMethod]
    public void IgnoreIndexInsideTheClassesIsRejected()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new DiceLoss().Compute<double>(new double[12], Shape, SegmentationTarget<double>.FromLabels(new int[4], ignoreIndex: 1)));
        StringAssert.Contains(ex.Message, "ignoreIndex (1)");
    }

    [TestMethod]
    public void OptionRangesAreChecked()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DiceLoss(new DiceLossOptions { SmoothNumerator = -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DiceLoss(new DiceLossOptions { Epsilon = -1e-7 }));
        Assert.ThrowsExactly<ArgumentException>(() => new DiceLoss(new DiceLossOptions { ClassWeights = new[] { 1, -1.0 } }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TverskyLoss(new TverskyLossOptions { Gamma = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = 1.5 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FocalLoss(new FocalLossOptions { Alpha = 2 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FocalLoss(new FocalLossOptions { Activation = Activation.None }));
        Assert.ThrowsExactly<ArgumentException>(() => new CombinedLoss());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SegmentationShape(0, 1, 1, 1));
    }

    [TestMethod]
    public void ClassWeightsMustMatchTheChannels()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = new[] { 1.0, 2 } })
            .Compute<double>(new double[12], Shape, SegmentationTarget<double>.FromLabels(new int[4])));
        StringAssert.Contains(ex.Message, "2 entries but the input has 3 classes");
    }

    [TestMethod]
    public void SoftmaxOverOneChannelPointsToSigmoid()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new DiceLoss().Compute<double>(new double[4], new SegmentationShape(1, 1, 2, 2), SegmentationTarget<double>.FromLabels(new int[4])));
        StringAssert.Contains(ex.Message, "Activation.Sigmoid");
    }
}
