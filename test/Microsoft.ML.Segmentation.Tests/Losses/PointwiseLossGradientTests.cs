using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

[TestClass]
public sealed class PointwiseLossGradientTests
{
    private static readonly SegmentationShape Shape = new(2, 4, 3, 3);

    [TestMethod]
    [DataRow(0.0, false, PointwiseAveraging.TargetWeight)]
    [DataRow(0.1, false, PointwiseAveraging.Valid)]
    [DataRow(0.2, true, PointwiseAveraging.TargetWeight)]
    [DataRow(0.2, true, PointwiseAveraging.All)]
    [DataRow(0.0, true, PointwiseAveraging.Sum)]
    public void CrossEntropyLabelMap(double smoothing, bool weights, PointwiseAveraging averaging)
    {
        var random = new Random(11);
        var loss = new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = smoothing, Averaging = averaging, ClassWeights = weights ? new[] { 0.2, 1, 3, 0.5 } : null });
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 4, ignore: 255);
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount, 4), Shape, TestTarget.FromLabels(labels, 255));
    }

    [TestMethod]
    public void CrossEntropyDenseSoftTargets()
    {
        var random = new Random(12);
        var dense = new double[Shape.ElementCount];
        int s = Shape.PixelsPerImage;
        for (int n = 0; n < Shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double[] q = Enumerable.Range(0, 4).Select(_ => random.NextDouble()).ToArray();
                double total = q.Sum();
                for (int k = 0; k < 4; k++)
                {
                    dense[(((n * 4) + k) * s) + i] = n == 1 && i == 2 ? double.NaN : q[k] / total;
                }
            }
        }

        var loss = new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = 0.1, ClassWeights = new[] { 1, 2, 0.5, 1.5 } });
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount), Shape, TestTarget.FromDense(dense));
    }

    [TestMethod]
    [DataRow(false, 0.0, PointwiseAveraging.Valid)]
    [DataRow(true, 0.1, PointwiseAveraging.All)]
    public void BinaryCrossEntropy(bool weights, double smoothing, PointwiseAveraging averaging)
    {
        var random = new Random(13);
        var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
        {
            LabelSmoothing = smoothing, Averaging = averaging,
            PositiveWeights = weights ? new[] { 2.0, 0.5, 1, 3 } : null,
            ClassWeights = weights ? new[] { 1.5 } : null,
        });
        double[] dense = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        dense[3] = double.NaN;
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount, 5), Shape, TestTarget.FromDense(dense));
    }

    public static IEnumerable<object?[]> FocalConfigurations()
    {
        foreach (Activation activation in new[] { Activation.Sigmoid, Activation.Softmax })
        {
            yield return new object?[] { activation, 2.0, null, false, null };
            yield return new object?[] { activation, 1.5, 0.25, true, null };
            yield return new object?[] { activation, 2.0, 0.8, false, 0.5 };
            yield return new object?[] { activation, 0.0, null, true, null };
        }
    }

    [TestMethod]
    [DynamicData(nameof(FocalConfigurations))]
    public void FocalLabelMap(Activation activation, double gamma, double? alpha, bool normalized, double? reduced)
    {
        var random = new Random(14);
        var loss = new FocalLoss(new FocalLossOptions { Activation = activation, Gamma = gamma, Alpha = alpha, Normalized = normalized, ReducedThreshold = reduced, ClassWeights = new[] { 1, 2, 0.5, 1 } });
        int[] labels = GradientCheck.RandomLabels(random, Shape.PixelCount, 4, ignore: -1);
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount, 3), Shape, TestTarget.FromLabels(labels, -1));
    }

    [TestMethod]
    [DataRow(Activation.Sigmoid)]
    [DataRow(Activation.Softmax)]
    public void FocalDenseSoftTargets(Activation activation)
    {
        var random = new Random(15);
        var loss = new FocalLoss(new FocalLossOptions { Activation = activation, Gamma = 2, Alpha = 0.3 });
        double[] dense = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, Shape.ElementCount, 3), Shape, TestTarget.FromDense(dense));
    }

    [TestMethod]
    public void BinaryFocalOneChannel()
    {
        var random = new Random(16);
        var shape = new SegmentationShape(2, 1, 4, 4);
        var loss = new FocalLoss(new FocalLossOptions { Gamma = 2, Alpha = 0.25 });
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2, ignore: 255);
        GradientCheck.AssertMatches(loss, GradientCheck.RandomInput(random, shape.ElementCount, 3), shape, TestTarget.FromLabels(labels, 255));
    }
}
