using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class OverlapLossGradientTests
{
    private static readonly SegmentationShape Shape = new(2, 3, 3, 4);

    public static IEnumerable<object[]> Configurations()
    {
        foreach (bool perImage in new[] { false, true })
        {
            foreach (OverlapDenominator denominator in Enum.GetValues<OverlapDenominator>())
            {
                foreach (bool log in new[] { false, true })
                {
                    foreach (EmptyTargetPolicy empty in Enum.GetValues<EmptyTargetPolicy>())
                    {
                        yield return new object[] { perImage, denominator, log, empty };
                    }
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void DiceGradientMatchesFiniteDifferences(bool perImage, OverlapDenominator denominator, bool log, EmptyTargetPolicy empty)
    {
        var random = new Random(1);
        var options = new DiceLossOptions
        {
            PerImage = perImage, Denominator = denominator, LogLoss = log, EmptyTarget = empty,
            SmoothNumerator = 0.3, SmoothDenominator = 0.5, ClassWeights = new[] { 0.5, 1.0, 2.0 },
        };
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 2, ignore: 255); // class 2 empty
        GradientCheck.AssertMatches(new DiceLoss(options), GradientCheck.RandomInput(random, Shape.ElementCount), Shape, TestTarget.FromLabels(labels, 255));
    }

    [TestMethod]
    [DataRow(0.3, 0.7, 1.0, FocalTverskyForm.PowerOfMean)]
    [DataRow(0.7, 0.3, 0.75, FocalTverskyForm.PowerOfMean)]
    [DataRow(0.3, 0.7, 1.5, FocalTverskyForm.PowerOfMean)]
    [DataRow(0.3, 0.7, 2.0, FocalTverskyForm.PerRegionInverseGamma)]
    public void TverskyGradientMatchesFiniteDifferences(double alpha, double beta, double gamma, FocalTverskyForm form)
    {
        var random = new Random(2);
        var options = new TverskyLossOptions { Alpha = alpha, Beta = beta, Gamma = gamma, GammaForm = form, SmoothNumerator = 1, SmoothDenominator = 1, PerImage = true };
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3);
        GradientCheck.AssertMatches(new TverskyLoss(options), GradientCheck.RandomInput(random, Shape.ElementCount), Shape, TestTarget.FromLabels(labels));
    }

    [TestMethod]
    [DataRow(Activation.Sigmoid, false)]
    [DataRow(Activation.Sigmoid, true)]
    [DataRow(Activation.None, true)]
    [DataRow(Activation.None, false)]
    public void DenseSoftTargetsMatchFiniteDifferences(Activation activation, bool softLabels)
    {
        var random = new Random(3);
        double[] dense = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        dense[5] = double.NaN; // an ignored element
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, Shape.ElementCount) : GradientCheck.RandomInput(random, Shape.ElementCount);
        var options = new JaccardLossOptions { Activation = activation, SoftLabels = softLabels, SmoothNumerator = 0.1, SmoothDenominator = 0.1, PoolClasses = true, PerImage = true };
        GradientCheck.AssertMatches(new JaccardLoss(options), input, Shape, TestTarget.FromDense(dense));
    }

    [TestMethod]
    public void SoftLabelIntersectionWithLabelMapMatchesFiniteDifferences()
    {
        var random = new Random(4);
        var options = new DiceLossOptions { SoftLabels = true, SmoothNumerator = 0.2, SmoothDenominator = 0.2, IncludeBackground = false };
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3, ignore: -100);
        GradientCheck.AssertMatches(new DiceLoss(options), GradientCheck.RandomInput(random, Shape.ElementCount), Shape, TestTarget.FromLabels(labels, -100));
    }

    [TestMethod]
    public void BinarySigmoidLabelMapMatchesFiniteDifferences()
    {
        var random = new Random(5);
        var shape = new SegmentationShape(3, 1, 2, 5);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2);
        var options = new DiceLossOptions { Activation = Activation.Sigmoid, PerImage = true, EmptyTarget = EmptyTargetPolicy.Compute, SmoothNumerator = 1e-5, SmoothDenominator = 1e-5 };
        GradientCheck.AssertMatches(new DiceLoss(options), GradientCheck.RandomInput(random, shape.ElementCount), shape, TestTarget.FromLabels(labels));
    }
}
