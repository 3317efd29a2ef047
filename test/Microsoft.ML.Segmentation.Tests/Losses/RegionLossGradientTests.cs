using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class RegionLossGradientTests
{
    [TestMethod]
    [DataRow(GeneralizedDiceWeighting.Square, true, true)]
    [DataRow(GeneralizedDiceWeighting.Simple, false, true)]
    [DataRow(GeneralizedDiceWeighting.Uniform, true, false)]
    public void GeneralizedDice(GeneralizedDiceWeighting weighting, bool perImage, bool background)
    {
        var random = new Random(21);
        var shape = new SegmentationShape(2, 4, 3, 3);
        var loss = new GeneralizedDiceLoss(new GeneralizedDiceLossOptions { Weighting = weighting, PerImage = perImage, IncludeBackground = background });
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3, ignore: 255); // class 3 absent: weight falls back to the max
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, shape.ElementCount), shape, TestTarget.FromLabels(labels, 255));
    }

    [TestMethod]
    [DataRow(Activation.Sigmoid)]
    [DataRow(Activation.None)]
    public void MatthewsCorrelation(Activation activation)
    {
        var random = new Random(22);
        var shape = new SegmentationShape(3, 2, 3, 4);
        var loss = new MatthewsCorrelationLoss(new MatthewsCorrelationLossOptions { Activation = activation });
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, shape.ElementCount) : GradientCheck.RandomInput(random, shape.ElementCount);
        double[] dense = Enumerable.Range(0, shape.ElementCount).Select(_ => (double)random.Next(2)).ToArray();
        GradientCheck.AssertMatches(loss, input, shape, TestTarget.FromDense(dense));
    }

    [TestMethod]
    public void CombinedIsTheWeightedSumOfItsParts()
    {
        var random = new Random(23);
        var shape = new SegmentationShape(2, 3, 4, 4);
        var ce = new CrossEntropyLoss();
        var dice = new DiceLoss();
        var combined = new CombinedLoss((ce, 0.7), (dice, 1.3));
        double[] input = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3);
        var target = TestTarget.FromLabels(labels);
        double expected = (0.7 * ce.Compute<double>(input, shape, target.Double())) + (1.3 * dice.Compute<double>(input, shape, target.Double()));
        Assert.AreEqual(expected, combined.Compute<double>(input, shape, target.Double()), 1e-12);
        Assert.AreEqual("0.7*cross_entropy+1.3*dice", combined.Name);
        GradientCheck.AssertMatches(combined, input, shape, target);
    }
}
