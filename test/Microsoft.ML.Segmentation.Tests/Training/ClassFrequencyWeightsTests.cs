using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>Class weights from label frequencies against values worked out by hand.</summary>
[TestClass]
public sealed class ClassFrequencyWeightsTests
{
    // Image A: 4 labelled pixels (0,0,0,1). Image B: 3 labelled (0,2,2) and one ignored. Class 3 never occurs.
    // Counts 4, 1, 2, 0 of N = 7.
    private static readonly int[][] Labels = [[0, 0, 0, 1], [0, 2, 2, 255]];

    [TestMethod]
    public void InverseIsNormalisedToMeanOneOverPresentClasses()
    {
        // 1/f = 7/4, 7, 7/2 (sum 12.25), scaled by 3/12.25: 3/7, 12/7, 6/7; the absent class gets 0.
        double[] w = ClassFrequencyWeights.Compute(Labels, 4, 255, ClassWeighting.Inverse);
        Assert.AreEqual(3.0 / 7, w[0], 1e-12);
        Assert.AreEqual(12.0 / 7, w[1], 1e-12);
        Assert.AreEqual(6.0 / 7, w[2], 1e-12);
        Assert.AreEqual(0, w[3]);
    }

    [TestMethod]
    public void InverseSqrt()
    {
        // 1/√f = √1.75, √7, √3.5, scaled to mean 1 over the three present classes.
        double[] w = ClassFrequencyWeights.Compute(Labels, 4, 255, ClassWeighting.InverseSqrt);
        Assert.AreEqual(0.6796227589829592, w[0], 1e-12);
        Assert.AreEqual(1.3592455179659184, w[1], 1e-12);
        Assert.AreEqual(0.9611317230511222, w[2], 1e-12);
        Assert.AreEqual(0, w[3]);
    }

    [TestMethod]
    public void MedianFrequencyUsesPixelsOfImagesWhereTheClassAppears()
    {
        // freq0 = 4/7 (both images, 7 pixels), freq1 = 1/4 (image A), freq2 = 2/3 (image B); median 4/7.
        // w = 1, (4/7)/(1/4) = 16/7, (4/7)/(2/3) = 6/7, absent 0.
        double[] w = ClassFrequencyWeights.Compute(Labels, 4, 255, ClassWeighting.MedianFrequency);
        Assert.AreEqual(1, w[0], 1e-12);
        Assert.AreEqual(16.0 / 7, w[1], 1e-12);
        Assert.AreEqual(6.0 / 7, w[2], 1e-12);
        Assert.AreEqual(0, w[3]);
    }

    [TestMethod]
    public void MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        // freq 3/4 and 1/4, median 1/2: w = 2/3 and 2.
        double[] w = ClassFrequencyWeights.Compute([[0, 0, 0, 1]], 2, null, ClassWeighting.MedianFrequency);
        Assert.AreEqual(2.0 / 3, w[0], 1e-12);
        Assert.AreEqual(2, w[1], 1e-12);
    }

    [TestMethod]
    public void BadInputsNameTheParameter()
    {
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => ClassFrequencyWeights.Compute([[0, 5]], 2, null, ClassWeighting.Inverse)).ParamName);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => ClassFrequencyWeights.Compute([[255]], 2, 255, ClassWeighting.Inverse)).ParamName);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => ClassFrequencyWeights.Compute([[0, int.MinValue]], 2, null, ClassWeighting.Inverse)).ParamName);
        Assert.AreEqual("weighting", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ClassFrequencyWeights.Compute([[0]], 2, null, ClassWeighting.Given)).ParamName);
    }
}
