using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Metrics;

[TestClass]
public sealed class GeneralizedDiceTests
{
    [TestMethod]
    public void Square_WeightsByInverseSquaredVolume_AndAbsentClassGetsMaxWeight()
    {
        // Class 0: truth 4, predicted 3, overlap 3. Class 1: no truth, 1 predicted (weight = max finite = 1/16).
        var image = new ConfusionCounts(new[] { new ClassConfusion(3, 0, 1, 0), new ClassConfusion(0, 1, 0, 3) });
        double w = 1.0 / 16;
        double expected = 2 * w * 3 / ((w * 7) + (w * 1));
        Assert.AreEqual(expected, GeneralizedDice.Score(image), 1e-12);
        CollectionAssert.AreEqual(new[] { 6.0 / 7, 0 }, GeneralizedDice.PerClass(image));
    }

    [TestMethod]
    public void EmptyEverything_IsOne_EmptyPredictionOfPresentTruth_IsZero()
    {
        var empty = new ConfusionCounts(new[] { new ClassConfusion(0, 0, 0, 9) });
        Assert.AreEqual(1.0, GeneralizedDice.Score(empty));
        var missed = new ConfusionCounts(new[] { new ClassConfusion(0, 0, 9, 0) });
        Assert.AreEqual(0.0, GeneralizedDice.Score(missed, GeneralizedDiceWeighting.Simple));
    }

    [TestMethod]
    public void Uniform_EqualsPooledDice()
    {
        var image = new ConfusionCounts(new[] { new ClassConfusion(3, 1, 2, 4), new ClassConfusion(1, 2, 0, 7) });
        Assert.AreEqual(8.0 / (8 + 3 + 2), GeneralizedDice.Score(image, GeneralizedDiceWeighting.Uniform), 1e-12);
    }
}
