using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// The worked 3×3 example of the seed document (shared/seed), with the values it should have printed.
/// The seed claims CE = 0.5108 and Dice = 0.1667; both are arithmetic slips (see README, "The seed's example").
/// </summary>
[TestClass]
public sealed class SeedExampleTests
{
    private static readonly double[] Truth = { 1, 1, 0, 1, 0, 0, 0, 0, 1 };
    private static readonly double[] Probabilities = { 0.9, 0.8, 0.1, 0.7, 0.2, 0.3, 0.2, 0.1, 0.8 };
    private static readonly SegmentationShape Shape = new(1, 1, 3, 3);

    private static double[] Logits => Probabilities.Select(p => Math.Log(p / (1 - p))).ToArray();

    [TestMethod]
    public void BinaryCrossEntropyOfTheSeedExample()
    {
        var target = SegmentationTarget<double>.FromDense(Truth);
        double sum = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { Averaging = PointwiseAveraging.Sum }).Compute<double>(Logits, Shape, target);
        double mean = new BinaryCrossEntropyLoss().Compute<double>(Logits, Shape, target);

        // −Σ[y log ŷ + (1 − y) log(1 − ŷ)] over all nine pixels; the seed kept only the four y = 1 terms, whose sum is 0.9083.
        Assert.AreEqual(1.9220056401, sum, 1e-9);
        Assert.AreEqual(0.2135561822, mean, 1e-9);
    }

    [TestMethod]
    public void DiceOfTheSeedExample()
    {
        var target = SegmentationTarget<double>.FromDense(Truth);
        var squared = new DiceLoss(new DiceLossOptions { Activation = Activation.None, Denominator = OverlapDenominator.Squared });
        var linear = new DiceLoss(new DiceLossOptions { Activation = Activation.None });

        // Σyŷ = 0.9 + 0.8 + 0.7 + 0.8 = 3.2 (the seed dropped the 0.7 pixel); Σy² = 4; Σŷ² = 2.77; Σŷ = 4.1.
        Assert.AreEqual(1 - (6.4 / 6.77), squared.Compute<double>(Probabilities, Shape, target), 1e-12);
        Assert.AreEqual(0.0546528804, squared.Compute<double>(Probabilities, Shape, target), 1e-9);
        Assert.AreEqual(1 - (6.4 / 8.1), linear.Compute<double>(Probabilities, Shape, target), 1e-12);
    }
}
