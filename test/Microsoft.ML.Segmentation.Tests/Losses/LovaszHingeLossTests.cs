using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class LovaszHingeLossTests
{
    private const int Ignore = LovaszTestData.Ignore;

    [TestMethod]
    public void HandCase_IsThreeQuarters()
    {
        // e = 1 − s·x = [−1, 0, 1.5]; sorted [1.5, 0, −1] with gt [0, 0, 1] → g = [1/2, 1/6, 1/3]; loss = 1.5·0.5.
        var loss = new LovaszHingeLoss();
        var gradient = new double[3];
        double value = loss.Compute<double>([2.0, -1.0, 0.5], new SegmentationShape(1, 1, 1, 3), SegmentationTarget<double>.FromLabels([1, 0, 0]), gradient);
        Assert.AreEqual(0.75, value, 1e-15);
        LovaszTestData.AssertClose([0.0, 0.0, 0.5], gradient, 1e-15);
    }

    [TestMethod]
    public void HandCase_FloatIsThreeQuarters()
    {
        float value = (float)new LovaszHingeLoss().Compute<float>([2f, -1f, 0.5f], new SegmentationShape(1, 1, 1, 3), SegmentationTarget<float>.FromLabels([1, 0, 0]));
        Assert.AreEqual(0.75f, value, 1e-7f);
    }

    [TestMethod]
    [DataRow(true, 0.0)]
    [DataRow(true, 0.25)]
    [DataRow(false, 0.0)]
    [DataRow(false, 0.25)]
    public void LabelMap_MatchesBruteForceAndFiniteDifferences(bool perImage, double ignoreRate)
    {
        var random = new Random(perImage ? 11 : 12);
        var shape = new SegmentationShape(3, 1, 4, 5);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -2.5, 2.5);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 2, ignoreRate);
        var loss = new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = perImage });
        var gradient = new double[shape.ElementCount];
        double value = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
        double expected = LovaszBruteForce.Hinge(logits, LovaszTestData.ForBruteForce(labels), 3, 1, 20, perImage);
        Assert.AreEqual(expected, value, 1e-12);
        Assert.IsGreaterThan(0.0, value);
        double[] numeric = LovaszTestData.NumericGradient(
            x => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore)), logits);
        LovaszTestData.AssertClose(numeric, gradient, 1e-6);
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void DenseMultilabel_MatchesBruteForceAndFiniteDifferences(bool perImage)
    {
        var random = new Random(21);
        var shape = new SegmentationShape(2, 3, 4, 6);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -2, 2);
        int[] targets = LovaszTestData.ForBruteForce(LovaszTestData.Labels(random, shape.ElementCount, 2, 0.1));
        double[] dense = targets.Select(t => t < 0 ? double.NaN : t).ToArray();
        var loss = new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = perImage });
        var gradient = new double[shape.ElementCount];
        double value = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(dense), gradient);
        Assert.AreEqual(LovaszBruteForce.Hinge(logits, targets, 2, 3, 24, perImage), value, 1e-12);
        double[] numeric = LovaszTestData.NumericGradient(x => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromDense(dense)), logits);
        LovaszTestData.AssertClose(numeric, gradient, 1e-6);
    }

    [TestMethod]
    public void LargerInput_FloatAgreesWithDouble()
    {
        var random = new Random(31);
        var shape = new SegmentationShape(2, 1, 20, 30);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -3, 3);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 2, 0.05);
        var loss = new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = false });
        var gradient = new double[shape.ElementCount];
        double value = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
        Assert.AreEqual(LovaszBruteForce.Hinge(logits, LovaszTestData.ForBruteForce(labels), 2, 1, 600, false), value, 1e-12);
        var gradientF = new float[shape.ElementCount];
        double valueF = loss.Compute<float>(logits.Select(x => (float)x).ToArray(), shape, SegmentationTarget<float>.FromLabels(labels, Ignore), gradientF);
        Assert.AreEqual(value, valueF, 1e-5);
        LovaszTestData.AssertClose(gradient, gradientF.Select(g => (double)g).ToArray(), 1e-6);
    }

    [TestMethod]
    public void SinglePixel_IsTheHinge()
    {
        var gradient = new double[1];
        double value = new LovaszHingeLoss().Compute<double>([0.25], new SegmentationShape(1, 1, 1, 1), SegmentationTarget<double>.FromLabels([1]), gradient);
        Assert.AreEqual(0.75, value, 1e-15);
        Assert.AreEqual(-1.0, gradient[0], 1e-15);
    }

    [TestMethod]
    public void AllIgnored_GivesZeroWithZeroGradient()
    {
        var shape = new SegmentationShape(2, 1, 2, 2);
        double[] logits = [1, -2, 3, 0.5, -1, 2, 0, 1];
        int[] labels = Enumerable.Repeat(Ignore, 8).ToArray();
        foreach (bool perImage in new[] { true, false })
        {
            double[] gradient = Enumerable.Repeat(double.NaN, 8).ToArray();
            double value = new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = perImage })
                .Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
            Assert.AreEqual(0.0, value, 0.0);
            Assert.IsTrue(gradient.All(g => g == 0));
        }
    }

    [TestMethod]
    public void PerImage_EmptyImageCountsAsZero()
    {
        var shape = new SegmentationShape(2, 1, 1, 3);
        double[] logits = [2.0, -1.0, 0.5, 1, 1, 1];
        int[] labels = [1, 0, 0, Ignore, Ignore, Ignore];
        double value = new LovaszHingeLoss().Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore));
        Assert.AreEqual(0.375, value, 1e-15);
    }

    [TestMethod]
    public void NoForeground_PenalizesTheLargestFalsePositive()
    {
        // G = 0 → g = [1, 0, …]: the loss is the largest margin error.
        double value = new LovaszHingeLoss().Compute<double>([0.5, -3, 2], new SegmentationShape(1, 1, 1, 3), SegmentationTarget<double>.FromLabels([0, 0, 0]));
        Assert.AreEqual(3.0, value, 1e-15);
    }

    [TestMethod]
    public void BadInputs_ThrowNamingTheParameter()
    {
        var loss = new LovaszHingeLoss();
        var shape = new SegmentationShape(1, 1, 1, 3);
        double[] logits = [1, 2, 3];
        Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>([1, 2], shape, SegmentationTarget<double>.FromLabels([0, 1, 0]))).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels([0, 2, 0]))).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels([0, 1]))).ParamName);
        Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>([1, double.NaN, 3], shape, SegmentationTarget<double>.FromLabels([0, 1, 0]))).ParamName);
        Assert.AreEqual("inputGradient", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels([0, 1, 0]), new double[2])).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromDense([0, 0.5, 1]))).ParamName);
        var twoChannels = new SegmentationShape(1, 2, 1, 3);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<double>(new double[6], twoChannels, SegmentationTarget<double>.FromLabels([0, 1, 0]))).ParamName);
        Assert.ThrowsExactly<ArgumentNullException>(() => new LovaszHingeLoss(null!));
    }
}
