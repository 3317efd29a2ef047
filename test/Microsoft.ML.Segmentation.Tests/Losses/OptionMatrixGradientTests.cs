using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>Finite-difference checks for the option combinations the other gradient tests do not reach.</summary>
[TestClass]
public sealed class OptionMatrixGradientTests
{
    private static readonly SegmentationShape Shape = new(2, 3, 2, 3);

    public static IEnumerable<object[]> Losses()
    {
        yield return Case("dice pooled classes, per image", new DiceLoss(new() { PoolClasses = true, PerImage = true, ClassIndices = new[] { 0, 2 } }));
        yield return Case("dice class subset, sum", new DiceLoss(new() { ClassIndices = new[] { 1, 2 }, Reduction = LossReduction.Sum, IncludeBackground = false }));
        yield return Case("dice count-normalised weights", new DiceLoss(new() { ClassWeights = new[] { 3.0, 1, 0.5 }, WeightNormalization = ClassWeightNormalization.Count, PerImage = true }));
        yield return Case("jaccard squared log", new JaccardLoss(new() { Denominator = OverlapDenominator.Squared, LogLoss = true }));
        yield return Case("tversky soft labels exclude", new TverskyLoss(new() { SoftLabels = true, EmptyTarget = EmptyTargetPolicy.Exclude, Alpha = 0.6, Beta = 0.2 }));
        yield return Case("generalized dice sum", new GeneralizedDiceLoss(new() { Reduction = LossReduction.Sum, Weighting = GeneralizedDiceWeighting.Simple }));
        yield return Case("bce label map one-hot", new BinaryCrossEntropyLoss(new() { PositiveWeights = new[] { 2.0 }, Averaging = PointwiseAveraging.Sum }));
        yield return Case("focal sigmoid all", new FocalLoss(new() { Averaging = PointwiseAveraging.All, Gamma = 3 }));
        yield return Case("focal softmax elements", new FocalLoss(new() { Activation = Activation.Softmax, Averaging = PointwiseAveraging.ValidElements, Gamma = 1 }));
        yield return Case("focal softmax sum normalised", new FocalLoss(new() { Activation = Activation.Softmax, Averaging = PointwiseAveraging.Sum, Normalized = true }));
        yield return Case("ce elements", new CrossEntropyLoss(new() { Averaging = PointwiseAveraging.ValidElements, LabelSmoothing = 0.3 }));
        yield return Case("mcc three channels", new MatthewsCorrelationLoss());
        yield return Case("lovasz all classes per image", new LovaszSoftmaxLoss(new() { ClassSelection = LovaszClassSelection.All, PerImage = true }));
        yield return Case("combined three", new CombinedLoss((new CrossEntropyLoss(), 0.5), (new TverskyLoss(), 2), (new FocalLoss(), -0.25)));
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void GradientMatchesFiniteDifferences(string name, ISegmentationLoss loss)
    {
        _ = name;
        var random = new Random(name.Length * 7919);
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 3, ignore: 255);
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount), Shape, TestTarget.FromLabels(labels, 255));
    }

    private static object[] Case(string name, ISegmentationLoss loss) => new object[] { name, loss };
}
