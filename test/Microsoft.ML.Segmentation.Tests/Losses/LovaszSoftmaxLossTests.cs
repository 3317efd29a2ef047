using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class LovaszSoftmaxLossTests
{
    private const int Ignore = LovaszTestData.Ignore;

    [TestMethod]
    [DataRow(Activation.Softmax, false, false, 0.0)]
    [DataRow(Activation.Softmax, true, false, 0.2)]
    [DataRow(Activation.Softmax, false, true, 0.2)]
    [DataRow(Activation.Softmax, true, true, 0.0)]
    [DataRow(Activation.None, false, false, 0.2)]
    [DataRow(Activation.None, true, true, 0.2)]
    public void ValueAndGradient_MatchBruteForceAndFiniteDifferences(Activation activation, bool all, bool perImage, double ignoreRate)
    {
        var random = new Random(1234 + (int)activation + (all ? 10 : 0) + (perImage ? 100 : 0));
        var shape = new SegmentationShape(2, 4, 3, 5);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -3, 3);
        double[] input = activation == Activation.None ? LovaszBruteForce.SoftmaxActivation(logits, 2, 4, 15) : logits;
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 3, ignoreRate); // class 3 absent
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions
        {
            Activation = activation,
            ClassSelection = all ? LovaszClassSelection.All : LovaszClassSelection.Present,
            PerImage = perImage,
        });

        CheckAgainstReferences(loss, input, shape, labels, activation, all, perImage, null, null);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ClassListAndWeights_MatchBruteForceAndFiniteDifferences(bool perImage)
    {
        var random = new Random(77);
        var shape = new SegmentationShape(3, 3, 2, 4);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -2, 2);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 3, 0.1);
        int[] classList = [2, 0];
        double[] weights = [0.5, 3.0, 2.0];
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions
        {
            ClassSelection = LovaszClassSelection.All,
            ClassIndices = classList,
            ClassWeights = weights,
            PerImage = perImage,
        });

        CheckAgainstReferences(loss, logits, shape, labels, Activation.Softmax, true, perImage, classList, weights);
    }

    [TestMethod]
    public void SigmoidSingleChannel_MatchesBruteForceAndFiniteDifferences()
    {
        var random = new Random(5);
        var shape = new SegmentationShape(2, 1, 4, 4);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -3, 3);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 2, 0.1);
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.Sigmoid });
        double[] probabilities = logits.Select(x => 1 / (1 + Math.Exp(-x))).ToArray();
        double expected = LovaszBruteForce.Softmax(probabilities, LovaszTestData.ForBruteForce(labels), 2, 1, 16, all: false, perImage: false);
        var gradient = new double[shape.ElementCount];
        double actual = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
        Assert.AreEqual(expected, actual, 1e-12);
        double[] numeric = LovaszTestData.NumericGradient(x => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore)), logits);
        LovaszTestData.AssertClose(numeric, gradient, 1e-6);
    }

    [TestMethod]
    public void LargerInput_FloatAgreesWithDoubleAndBruteForce()
    {
        // Over 48 pixels per class, so the radix passes run (4-byte keys for float, 8-byte for double).
        var random = new Random(99);
        var shape = new SegmentationShape(2, 5, 12, 16);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -4, 4);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 5, 0.05);
        var loss = new LovaszSoftmaxLoss();
        double[] gradient = new double[shape.ElementCount];
        double value = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
        double[] p = LovaszBruteForce.SoftmaxActivation(logits, 2, 5, 192);
        double expected = LovaszBruteForce.Softmax(p, LovaszTestData.ForBruteForce(labels), 2, 5, 192, all: false, perImage: false);
        Assert.AreEqual(expected, value, 1e-12);

        float[] logitsF = logits.Select(x => (float)x).ToArray();
        float[] gradientF = new float[shape.ElementCount];
        double valueF = loss.Compute<float>(logitsF, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), gradientF);
        Assert.AreEqual(value, valueF, 1e-5);
        LovaszTestData.AssertClose(gradient, gradientF.Select(g => (double)g).ToArray(), 1e-5);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ParallelInput_IsRepeatableAndOverwritesTheGradient(bool perImage)
    {
        // Over ParallelWork.MinimumParallelElements, so classes and images run on several threads.
        var random = new Random(42);
        var shape = new SegmentationShape(2, 4, 96, 96);
        Assert.IsGreaterThanOrEqualTo(ParallelWork.MinimumParallelElements, shape.ElementCount);
        float[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -3, 3).Select(x => (float)x).ToArray();
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 4, 0.05);
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { PerImage = perImage });
        var first = new float[shape.ElementCount];
        float[] second = Enumerable.Repeat(float.NaN, shape.ElementCount).ToArray();
        double a = loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), first);
        double b = loss.Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), second);
        Assert.AreEqual(a, b, 0.0);
        CollectionAssert.AreEqual(first, second);
        var gradientD = new double[shape.ElementCount];
        double d = loss.Compute<double>(logits.Select(x => (double)x).ToArray(), shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradientD);
        Assert.AreEqual(d, a, 1e-5);
        LovaszTestData.AssertClose(gradientD, first.Select(x => (double)x).ToArray(), 1e-6);
    }

    [TestMethod]
    public void DenseOneHotTarget_MatchesLabelMap()
    {
        var random = new Random(3);
        var shape = new SegmentationShape(2, 3, 2, 3);
        double[] logits = LovaszTestData.Uniform(random, shape.ElementCount, -2, 2);
        int[] labels = LovaszTestData.Labels(random, shape.PixelCount, 3, 0.2);
        var dense = new double[shape.ElementCount];
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int s = 0; s < 6; s++)
                {
                    int label = labels[(n * 6) + s];
                    dense[(((n * 3) + c) * 6) + s] = label == Ignore ? double.NaN : (label == c ? 1 : 0);
                }
            }
        }

        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { PerImage = true });
        var g1 = new double[shape.ElementCount];
        var g2 = new double[shape.ElementCount];
        double fromLabels = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), g1);
        double fromDense = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(dense), g2);
        Assert.AreEqual(fromLabels, fromDense, 1e-15);
        LovaszTestData.AssertClose(g1, g2, 1e-15);
    }

    [TestMethod]
    public void TiedErrors_GiveTheBruteForceValue()
    {
        // Equal logits: every error of a class ties; the value must not depend on the tie order.
        var shape = new SegmentationShape(1, 3, 4, 5);
        double[] logits = new double[shape.ElementCount];
        int[] labels = LovaszTestData.Labels(new Random(8), shape.PixelCount, 3, 0.0);
        double value = new LovaszSoftmaxLoss().Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels));
        double[] p = LovaszBruteForce.SoftmaxActivation(logits, 1, 3, 20);
        Assert.AreEqual(LovaszBruteForce.Softmax(p, labels, 1, 3, 20, all: false, perImage: false), value, 1e-12);
    }

    [TestMethod]
    public void PerfectProbabilities_GiveZero()
    {
        var shape = new SegmentationShape(1, 2, 1, 3);
        int[] labels = [0, 1, 1];
        double[] probabilities = [1, 0, 0, 0, 1, 1];
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None });
        Assert.AreEqual(0.0, loss.Compute<double>(probabilities, shape, SegmentationTarget<double>.FromLabels(labels)), 0.0);
    }

    [TestMethod]
    public void AllIgnored_GivesZeroWithZeroGradient()
    {
        var shape = new SegmentationShape(2, 3, 2, 2);
        double[] logits = LovaszTestData.Uniform(new Random(1), shape.ElementCount, -1, 1);
        int[] labels = Enumerable.Repeat(Ignore, shape.PixelCount).ToArray();
        foreach (bool all in new[] { false, true })
        {
            var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassSelection = all ? LovaszClassSelection.All : LovaszClassSelection.Present });
            double[] gradient = Enumerable.Repeat(double.NaN, shape.ElementCount).ToArray();
            Assert.AreEqual(0.0, loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient), 0.0);
            Assert.IsTrue(gradient.All(g => g == 0));
        }
    }

    [TestMethod]
    public void PerImage_EmptyImageCountsAsZero()
    {
        var shape = new SegmentationShape(2, 2, 1, 3);
        double[] logits = [1, -1, 0.5, -1, 1, 0.2, 0.3, 0.1, -0.4, 0.2, 0.6, 0.9];
        int[] labels = [0, 1, 1, Ignore, Ignore, Ignore];
        var perImage = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { PerImage = true });
        var batch = new LovaszSoftmaxLoss();
        double both = perImage.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore));
        double first = batch.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, Ignore));
        Assert.IsGreaterThan(0.0, first);
        Assert.AreEqual(first / 2, both, 1e-15);
    }

    [TestMethod]
    public void NoListedClassPresent_GivesZero()
    {
        var shape = new SegmentationShape(1, 3, 1, 4);
        double[] logits = LovaszTestData.Uniform(new Random(2), shape.ElementCount, -1, 1);
        int[] labels = [0, 0, 1, 1];
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassIndices = [2] });
        var gradient = new double[shape.ElementCount];
        Assert.AreEqual(0.0, loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels), gradient), 0.0);
        Assert.IsTrue(gradient.All(g => g == 0));
    }

    [TestMethod]
    public void AbsentClass_AddsItsFalsePositivesOnlyWithAll()
    {
        var shape = new SegmentationShape(1, 2, 1, 2);
        double[] probabilities = [0.75, 0.5, 0.25, 0.5];
        int[] labels = [0, 0];
        double present = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None })
            .Compute<double>(probabilities, shape, SegmentationTarget<double>.FromLabels(labels));
        double all = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None, ClassSelection = LovaszClassSelection.All })
            .Compute<double>(probabilities, shape, SegmentationTarget<double>.FromLabels(labels));

        // Class 0: errors [0.5, 0.25], fg [1, 1] → g = [0.5, 0.5] → 0.375. Class 1 (absent): errors [0.5, 0.25], G = 0 → g = [1, 0] → 0.5.
        Assert.AreEqual(0.375, present, 1e-15);
        Assert.AreEqual((0.375 + 0.5) / 2, all, 1e-15);
    }

    [TestMethod]
    public void SinglePixel_IsTheErrorOfItsClass()
    {
        var shape = new SegmentationShape(1, 2, 1, 1);
        double[] probabilities = [0.3, 0.7];
        var gradient = new double[2];
        var loss = new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Activation = Activation.None });
        Assert.AreEqual(0.7, loss.Compute<double>(probabilities, shape, SegmentationTarget<double>.FromLabels([0]), gradient), 1e-15);
        LovaszTestData.AssertClose([-1.0, 0.0], gradient, 0.0);
    }

    [TestMethod]
    public void OptionsAreCopied()
    {
        var options = new LovaszSoftmaxLossOptions { Activation = Activation.None };
        var loss = new LovaszSoftmaxLoss(options);
        options.Activation = Activation.Softmax;
        double value = loss.Compute<double>([0.3, 0.7], new SegmentationShape(1, 2, 1, 1), SegmentationTarget<double>.FromLabels([0]));
        Assert.AreEqual(0.7, value, 1e-15);
    }

    private static void CheckAgainstReferences(LovaszSoftmaxLoss loss, double[] input, SegmentationShape shape, int[] labels,
        Activation activation, bool all, bool perImage, int[]? classList, double[]? weights)
    {
        var gradient = new double[shape.ElementCount];
        double value = loss.Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels, Ignore), gradient);
        double[] p = activation == Activation.Softmax
            ? LovaszBruteForce.SoftmaxActivation(input, shape.Batch, shape.Classes, shape.PixelsPerImage)
            : input;
        double expected = LovaszBruteForce.Softmax(p, LovaszTestData.ForBruteForce(labels), shape.Batch, shape.Classes,
            shape.PixelsPerImage, all, perImage, classList, weights);
        Assert.AreEqual(expected, value, 1e-12);
        Assert.IsGreaterThan(0.0, value);

        double[] numeric = LovaszTestData.NumericGradient(
            x => loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels, Ignore)), input);
        LovaszTestData.AssertClose(numeric, gradient, 1e-6);
    }
}
