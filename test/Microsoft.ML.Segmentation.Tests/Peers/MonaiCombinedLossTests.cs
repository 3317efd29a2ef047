using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// MONAI 1.5 <c>DiceCELoss</c> and <c>DiceFocalLoss</c> with <c>sigmoid=True</c> and a <c>weight</c>, against MONAI's
/// formulas written out here: DiceLoss multiplies each (image, class) term by the weight of its class only when more
/// than one class is kept; DiceCELoss's CE term is BCEWithLogitsLoss(pos_weight=weight) for one channel and
/// CrossEntropyLoss(weight) on the logits otherwise (MONAI 1.5 chooses by channel count, not by <c>sigmoid</c>);
/// DiceFocalLoss's focal term is the sigmoid FocalLoss on the logits with the same weight, gamma and alpha.
/// </summary>
[TestClass]
public sealed class MonaiCombinedLossTests
{
    private const double Smooth = 1e-5;

    [TestMethod]
    public void DiceCE_OneChannelSigmoidWeight_IsPosWeightBceAndUnweightedDice()
    {
        var shape = new SegmentationShape(2, 1, 2, 3);
        var random = new Random(11);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        double[] y = Enumerable.Range(0, shape.ElementCount).Select(_ => (double)random.Next(2)).ToArray();
        double w = 3.5;
        double actual = Monai.DiceCELoss(sigmoid: true, weight: [w], lambdaCe: 0.7).Compute<double>(x, shape, SegmentationTarget<double>.FromDense(y));

        // BCEWithLogitsLoss(pos_weight=w): −[w·y·log σ(x) + (1 − y)·log(1 − σ(x))], mean over every element.
        double bce = 0;
        for (int e = 0; e < x.Length; e++)
        {
            double p = Sigmoid(x[e]);
            bce += -((w * y[e] * Math.Log(p)) + ((1 - y[e]) * Math.Log(1 - p)));
        }

        bce /= x.Length;
        double dice = DiceTerms(x.Select(Sigmoid).ToArray(), y, shape, channels: [0], weights: null).Average();
        Assert.AreEqual(dice + (0.7 * bce), actual, 1e-12);
    }

    [TestMethod]
    public void DiceCE_OneChannelSigmoidWeight_MatchesMonaiTestVector()
    {
        // MONAI 1.5 tests/losses/test_dice_ce_loss.py, the "bceloss" case: weight [0.5], sigmoid, shape (2, 1, 3).
        var shape = new SegmentationShape(2, 1, 1, 3);
        double[] input = [0.8, 0.6, 0.0, 0.0, 0.0, 0.9];
        double[] target = [0, 0, 1, 0, 1, 0];
        double value = Monai.DiceCELoss(sigmoid: true, weight: [0.5]).Compute<double>(input, shape, SegmentationTarget<double>.FromDense(target));
        Assert.AreEqual(1.445239, value, 1e-6);
    }

    [TestMethod]
    public void DiceCE_SeveralChannelsSigmoidWeight_IsWeightedSoftmaxCeAndWeightedDice()
    {
        var shape = new SegmentationShape(2, 3, 1, 4);
        var random = new Random(12);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3);
        double[] weight = [0.5, 2.0, 1.5];
        double actual = Monai.DiceCELoss(sigmoid: true, weight: weight, includeBackground: false)
            .Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));

        // CrossEntropyLoss(weight) on the raw logits: Σ w[y]·(−log softmax(x)_y) / Σ w[y].
        double ceSum = 0, weightSum = 0;
        int s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double[] z = Enumerable.Range(0, 3).Select(k => x[(((n * 3) + k) * s) + i]).ToArray();
                double logSum = Math.Log(z.Sum(Math.Exp));
                int label = labels[(n * s) + i];
                ceSum += weight[label] * (logSum - z[label]);
                weightSum += weight[label];
            }
        }

        // Dice on sigmoid(x) without channel 0, each term times weight[1:] of its class, mean over the 2·2 terms.
        double[] oneHot = OneHot(labels, shape);
        double dice = DiceTerms(x.Select(Sigmoid).ToArray(), oneHot, shape, channels: [1, 2], weights: weight).Average();
        Assert.AreEqual(dice + (ceSum / weightSum), actual, 1e-12);
    }

    [TestMethod]
    public void DiceFocal_SigmoidWeightWithoutBackground_MatchesFormula()
    {
        var shape = new SegmentationShape(2, 3, 2, 2);
        var random = new Random(13);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 3);
        double[] weight = [2.0, 0.5]; // classes 1 and 2: DiceFocalLoss passes it unsliced to both terms
        const double gamma = 1.5, alpha = 0.3;
        double actual = Monai.DiceFocalLoss(sigmoid: true, includeBackground: false, weight: weight, gamma: gamma, alpha: alpha, lambdaFocal: 2)
            .Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
        double[] y = OneHot(labels, shape);
        double dice = DiceTerms(x.Select(Sigmoid).ToArray(), y, shape, channels: [1, 2], weights: [0, .. weight]).Average();
        double focal = SigmoidFocalMean(x, y, shape, channels: [1, 2], weights: [0, .. weight], gamma, alpha);
        Assert.AreEqual(dice + (2 * focal), actual, 1e-12);
    }

    [TestMethod]
    public void DiceFocal_OneKeptClass_IgnoresWeight()
    {
        // MONAI checks the class count after dropping the background: with one class left it ignores the weight.
        var shape = new SegmentationShape(2, 2, 1, 3);
        var random = new Random(14);
        double[] x = GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2);
        var target = SegmentationTarget<double>.FromLabels(labels);
        double weighted = Monai.DiceFocalLoss(sigmoid: true, includeBackground: false, weight: [5.0]).Compute<double>(x, shape, target);
        double plain = Monai.DiceFocalLoss(sigmoid: true, includeBackground: false).Compute<double>(x, shape, target);
        Assert.AreEqual(plain, weighted, 0.0);
        double[] y = OneHot(labels, shape);
        double expected = DiceTerms(x.Select(Sigmoid).ToArray(), y, shape, channels: [1], weights: null).Average()
            + SigmoidFocalMean(x, y, shape, channels: [1], weights: null, gamma: 2, alpha: null);
        Assert.AreEqual(expected, plain, 1e-12);
    }

    [TestMethod]
    public void Gradients_MatchFiniteDifferences()
    {
        var random = new Random(15);
        var one = new SegmentationShape(2, 1, 2, 2);
        double[] x1 = GradientCheck.RandomInput(random, one.ElementCount);
        double[] y1 = Enumerable.Range(0, one.ElementCount).Select(_ => (double)random.Next(2)).ToArray();
        GradientCheck.AssertMatches(Monai.DiceCELoss(sigmoid: true, weight: [2.5]), x1, one, TestTarget.FromDense(y1));

        var three = new SegmentationShape(2, 3, 2, 2);
        double[] x3 = GradientCheck.RandomInput(random, three.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, three.PixelCount, 3);
        GradientCheck.AssertMatches(Monai.DiceCELoss(sigmoid: true, weight: [0.5, 2, 1.5], includeBackground: false), x3, three, TestTarget.FromLabels(labels));
        GradientCheck.AssertMatches(Monai.DiceFocalLoss(sigmoid: true, includeBackground: false, weight: [2, 0.5], gamma: 1.5, alpha: 0.3), x3, three, TestTarget.FromLabels(labels));
        GradientCheck.AssertMatches(Monai.FocalLoss(includeBackground: false, useSoftmax: true, weight: [2, 0.5]), x3, three, TestTarget.FromLabels(labels));
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static double[] OneHot(int[] labels, SegmentationShape shape)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var y = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                y[(((n * c) + labels[(n * s) + i]) * s) + i] = 1;
            }
        }

        return y;
    }

    /// <summary>MONAI DiceLoss terms (batch=False): w_k·(1 − (2Σpt + nr)/(Σp + Σt + dr)) per image and kept channel.</summary>
    private static IEnumerable<double> DiceTerms(double[] p, double[] t, SegmentationShape shape, int[] channels, double[]? weights)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            foreach (int k in channels)
            {
                double pt = 0, sp = 0, st = 0;
                for (int i = 0; i < s; i++)
                {
                    int e = (((n * c) + k) * s) + i;
                    pt += p[e] * t[e];
                    sp += p[e];
                    st += t[e];
                }

                yield return (weights?[k] ?? 1) * (1 - (((2 * pt) + Smooth) / (sp + st + Smooth)));
            }
        }
    }

    /// <summary>MONAI sigmoid_focal_loss times the class weight, mean over every kept element.</summary>
    private static double SigmoidFocalMean(double[] x, double[] y, SegmentationShape shape, int[] channels, double[]? weights, double gamma, double? alpha)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        double sum = 0;
        int count = 0;
        for (int n = 0; n < shape.Batch; n++)
        {
            foreach (int k in channels)
            {
                for (int i = 0; i < s; i++)
                {
                    int e = (((n * c) + k) * s) + i;
                    double p = Sigmoid(x[e]);
                    double bce = -((y[e] * Math.Log(p)) + ((1 - y[e]) * Math.Log(1 - p)));
                    double pt = y[e] == 1 ? p : 1 - p;
                    double term = Math.Pow(1 - pt, gamma) * bce;
                    if (alpha is double a)
                    {
                        term *= (a * y[e]) + ((1 - a) * (1 - y[e]));
                    }

                    sum += (weights?[k] ?? 1) * term;
                    count++;
                }
            }
        }

        return sum / count;
    }
}
