using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class LovaszSoftmaxLossValidationTests
{
    private static readonly SegmentationShape Shape = new(1, 3, 1, 2);
    private static readonly double[] Logits = [1, 2, 3, 4, 5, 6];

    [TestMethod]
    public void ShapeMismatch_NamesInput()
        => Assert.AreEqual("input", Throws(new LovaszSoftmaxLoss(), [1, 2, 3], [0, 1]).ParamName);

    [TestMethod]
    public void LabelOutOfRange_NamesTarget()
        => Assert.AreEqual("target", Throws(new LovaszSoftmaxLoss(), Logits, [0, 3]).ParamName);

    [TestMethod]
    public void LabelMapLengthMismatch_NamesTarget()
        => Assert.AreEqual("target", Throws(new LovaszSoftmaxLoss(), Logits, [0, 1, 2]).ParamName);

    [TestMethod]
    public void NaNLogits_NameInput()
        => Assert.AreEqual("input", Throws(new LovaszSoftmaxLoss(), [1, 2, double.NaN, 4, 5, 6], [0, 1]).ParamName);

    [TestMethod]
    public void InfiniteLogits_NameInput()
        => Assert.AreEqual("input", Throws(new LovaszSoftmaxLoss(), [1, 2, double.PositiveInfinity, 4, 5, 6], [0, 1]).ParamName);

    [TestMethod]
    public void ProbabilitiesOutOfRange_NameInput()
    {
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None });
        Assert.AreEqual("input", Throws(loss, [0.5, 0.5, 0.2, 0.2, 0.3, 1.5], [0, 1]).ParamName);
    }

    [TestMethod]
    public void GradientLengthMismatch_NamesInputGradient()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(
            () => new LovaszSoftmaxLoss().Compute<double>(Logits, Shape, SegmentationTarget<double>.FromLabels([0, 1]), new double[5]));
        Assert.AreEqual("inputGradient", ex.ParamName);
    }

    [TestMethod]
    public void ClassIndexBeyondChannels_NamesShape()
    {
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassIndices = [1, 3] });
        var ex = Throws(loss, Logits, [0, 1]);
        Assert.AreEqual("shape", ex.ParamName);
        StringAssert.Contains(ex.Message, "ClassIndices[1] (3)");
    }

    [TestMethod]
    public void ClassWeightsOfWrongLength_NameShape()
    {
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassWeights = [1, 2] });
        Assert.AreEqual("shape", Throws(loss, Logits, [0, 1]).ParamName);
    }

    [TestMethod]
    public void SoftmaxOfOneChannel_NamesShape()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(
            () => new LovaszSoftmaxLoss().Compute<double>([1, 2], new SegmentationShape(1, 1, 1, 2), SegmentationTarget<double>.FromLabels([0, 1])));
        Assert.AreEqual("shape", ex.ParamName);
    }

    [TestMethod]
    public void NonBinaryDenseTarget_NamesTarget()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(
            () => new LovaszSoftmaxLoss().Compute<double>(Logits, Shape, SegmentationTarget<double>.FromDense([1, 0, 0, 0.5, 0, 0.5])));
        Assert.AreEqual("target", ex.ParamName);
    }

    [TestMethod]
    public void BadOptions_NameOptions()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => new LovaszSoftmaxLoss(null!));
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassIndices = [] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassIndices = [-1] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassIndices = [1, 1] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassWeights = [1, double.NaN] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassWeights = [-1] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = (Activation)7 })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassSelection = (LovaszClassSelection)7 })).ParamName);
    }

    private static ArgumentException Throws(LovaszSoftmaxLoss loss, double[] input, int[] labels)
        => Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(input, Shape, SegmentationTarget<double>.FromLabels(labels, 255)));
}
