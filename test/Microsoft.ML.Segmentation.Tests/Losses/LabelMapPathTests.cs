using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// Label maps take fused, chunked and parallel paths; dense one-hot targets take plain row-by-row code. On odd sizes
/// (SIMD tails, several chunks, enough elements to go parallel) both must give the same value and gradient.
/// </summary>
[TestClass]
public sealed class LabelMapPathTests
{
    public static IEnumerable<object[]> Shapes()
    {
        yield return new object[] { 1, 2, 1, 1 };
        yield return new object[] { 2, 3, 3, 7 };
        yield return new object[] { 3, 5, 17, 65 };   // 1105 pixels: two chunks, odd tail
        yield return new object[] { 2, 4, 131, 131 }; // 137k elements: the parallel path
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] shape in Shapes())
        {
            yield return shape.Append("ce").ToArray();
            yield return shape.Append("ce-smooth-weighted").ToArray();
            yield return shape.Append("dice").ToArray();
            yield return shape.Append("dice-l1-per-image").ToArray();
            yield return shape.Append("tversky-squared").ToArray();
            yield return shape.Append("generalized-dice").ToArray();
            yield return shape.Append("focal-softmax").ToArray();
            yield return shape.Append("lovasz").ToArray();
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void LabelMapMatchesDenseOneHot(int batch, int classes, int height, int width, string name)
    {
        var shape = new SegmentationShape(batch, classes, height, width);
        var random = new Random(shape.ElementCount);
        double[] logits = GradientCheck.RandomInput(random, shape.ElementCount, 3);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, classes, ignore: 255, ignoreFraction: 0.1);
        double[] dense = Microsoft.ML.Segmentation.GoldenVectors.LossProblem.OneHot(shape, labels, 255);
        double[] weights = Enumerable.Range(0, classes).Select(k => 0.5 + k).ToArray();
        ISegmentationLoss loss = name switch
        {
            "ce" => new CrossEntropyLoss(),
            "ce-smooth-weighted" => new CrossEntropyLoss(new() { LabelSmoothing = 0.1, ClassWeights = weights, Averaging = PointwiseAveraging.Valid }),
            "dice" => new DiceLoss(),
            "dice-l1-per-image" => new DiceLoss(new() { SoftLabels = true, PerImage = true, SmoothNumerator = 1, SmoothDenominator = 1 }),
            "tversky-squared" => new TverskyLoss(new() { Denominator = OverlapDenominator.Squared, Alpha = 0.2, Beta = 0.8, ClassWeights = weights }),
            "generalized-dice" => new GeneralizedDiceLoss(),
            "focal-softmax" => new FocalLoss(new() { Activation = Activation.Softmax, Alpha = 0.3 }),
            _ => new LovaszSoftmaxLoss(),
        };

        var gLabels = new double[shape.ElementCount];
        var gDense = new double[shape.ElementCount];
        double fromLabels = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromLabels(labels, 255), gLabels);
        double fromDense = loss.Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(dense), gDense);
        Assert.AreEqual(fromDense, fromLabels, 1e-10 * Math.Max(1, Math.Abs(fromDense)), $"{name}: value");
        for (int i = 0; i < gDense.Length; i++)
        {
            Assert.AreEqual(gDense[i], gLabels[i], 1e-10, $"{name}: gradient {i}");
        }
    }
}
