using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// MONAI 1.5 <c>soft_label=True</c> (monai/losses/utils.py <c>compute_tp_fp_fn</c>, ord 1): tp = (|x|₁ + |y|₁ − |x − y|₁)/2,
/// fp = |x|₁ − tp, fn = |y|₁ − tp, checked against that formula written out here.
/// </summary>
[TestClass]
public sealed class MonaiSoftLabelTests
{
    private static readonly SegmentationShape Shape = new(2, 3, 2, 3);

    [TestMethod]
    public void GeneralizedDice_IdenticalSoftInputAndTarget_GiveZero()
    {
        double[] soft = GradientCheck.RandomProbabilities(new Random(3), Shape.ElementCount);
        double value = Monai.GeneralizedDiceLoss(softLabel: true).Compute<double>(soft, Shape, SegmentationTarget<double>.FromDense(soft));
        Assert.AreEqual(0.0, value, 1e-12);

        // Without the soft-label form the intersection Σx·y < Σx for soft values, so the loss is positive.
        double hardForm = Monai.GeneralizedDiceLoss().Compute<double>(soft, Shape, SegmentationTarget<double>.FromDense(soft));
        Assert.IsGreaterThan(0.01, hardForm);
    }

    [TestMethod]
    public void DiceAndTversky_IdenticalSoftInputAndTarget_GiveZero()
    {
        double[] soft = GradientCheck.RandomProbabilities(new Random(4), Shape.ElementCount);
        var target = SegmentationTarget<double>.FromDense(soft);
        Assert.AreEqual(0.0, Monai.DiceLoss(softLabel: true).Compute<double>(soft, Shape, target), 1e-12);
        Assert.AreEqual(0.0, Monai.DiceLoss(softLabel: true, jaccard: true).Compute<double>(soft, Shape, target), 1e-12);
        Assert.AreEqual(0.0, Monai.TverskyLoss(softLabel: true, alpha: 0.3, beta: 0.7).Compute<double>(soft, Shape, target), 1e-12);
        Assert.IsGreaterThan(0.01, Monai.DiceLoss().Compute<double>(soft, Shape, target));
    }

    [TestMethod]
    [DataRow("square", false)]
    [DataRow("simple", true)]
    [DataRow("uniform", false)]
    public void GeneralizedDice_SoftLabel_MatchesFormula(string wType, bool batch)
    {
        var random = new Random(5);
        double[] x = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        double[] y = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        double actual = Monai.GeneralizedDiceLoss(wType: wType, batch: batch, softLabel: true, smoothNr: 1e-3, smoothDr: 2e-3)
            .Compute<double>(x, Shape, SegmentationTarget<double>.FromDense(y));
        Assert.AreEqual(ExpectedGeneralizedDice(x, y, wType, batch, 1e-3, 2e-3), actual, 1e-12);
    }

    [TestMethod]
    public void GeneralizedDice_SoftLabel_GradientMatchesFiniteDifferences()
    {
        var random = new Random(6);
        double[] logits = GradientCheck.RandomInput(random, Shape.ElementCount);
        double[] y = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        foreach (bool batch in new[] { false, true })
        {
            ISegmentationLoss loss = Monai.GeneralizedDiceLoss(softmax: true, batch: batch, softLabel: true, includeBackground: !batch);
            GradientCheck.AssertMatches(loss, logits, Shape, TestTarget.FromDense(y));
        }

        GradientCheck.AssertMatches(Monai.GeneralizedDiceLoss(sigmoid: true, wType: "simple", softLabel: true), logits, Shape, TestTarget.FromDense(y));
    }

    [TestMethod]
    public void DiceLoss_SquaredPred_IgnoresSoftLabel()
    {
        // With squared_pred MONAI uses the L2 form: tp = (Σx² + Σy² − Σ(x − y)²)/2 = Σx·y whatever soft_label says.
        var random = new Random(7);
        double[] x = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        double[] y = GradientCheck.RandomProbabilities(random, Shape.ElementCount);
        var target = SegmentationTarget<double>.FromDense(y);
        double soft = Monai.DiceLoss(squaredPred: true, softLabel: true).Compute<double>(x, Shape, target);
        double plain = Monai.DiceLoss(squaredPred: true).Compute<double>(x, Shape, target);
        Assert.AreEqual(plain, soft, 0.0);
    }

    /// <summary>MONAI's GeneralizedDiceLoss.forward with soft_label, written out for [N, C, S] tensors.</summary>
    internal static double ExpectedGeneralizedDice(double[] x, double[] y, string wType, bool batch, double nr, double dr)
    {
        int n = Shape.Batch, c = Shape.Classes, s = Shape.PixelsPerImage;
        int groups = batch ? 1 : n;
        double total = 0;
        for (int g = 0; g < groups; g++)
        {
            var tp = new double[c];
            var denominator = new double[c];
            var volume = new double[c];
            for (int b = 0; b < n; b++)
            {
                if (!batch && b != g)
                {
                    continue;
                }

                for (int k = 0; k < c; k++)
                {
                    double sx = 0, sy = 0, sd = 0;
                    for (int i = 0; i < s; i++)
                    {
                        int e = (((b * c) + k) * s) + i;
                        sx += x[e];
                        sy += y[e];
                        sd += Math.Abs(x[e] - y[e]);
                    }

                    tp[k] += (sx + sy - sd) / 2;
                    denominator[k] += sx + sy;
                    volume[k] += sy;
                }
            }

            double numer = nr, denom = dr;
            for (int k = 0; k < c; k++)
            {
                double w = wType switch { "square" => 1 / (volume[k] * volume[k]), "simple" => 1 / volume[k], _ => 1 };
                numer += 2 * w * tp[k];
                denom += w * denominator[k];
            }

            total += 1 - (numer / denom);
        }

        return total / groups;
    }
}
