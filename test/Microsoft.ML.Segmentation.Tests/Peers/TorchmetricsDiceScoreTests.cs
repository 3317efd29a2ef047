using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.Tests.Peers;

/// <summary>
/// torchmetrics <c>segmentation.DiceScore</c> against a direct port of its formula (torchmetrics 1.9.0 dev,
/// <c>_dice_score_compute</c> then <c>compute()</c>'s nanmean over samples), run on masks where some classes are absent
/// from some samples, one sample predicts a class it does not have, and one sample is empty.
/// </summary>
[TestClass]
public sealed class TorchmetricsDiceScoreTests
{
    private const int N = 3, C = 4, H = 10, W = 10;

    /// <summary>torchmetrics' test_samples_with_missing_classes masks.</summary>
    private static (double[] Preds, double[] Target) Masks()
    {
        var preds = new double[N * C * H * W];
        var target = new double[N * C * H * W];
        void Fill(double[] t, int n, int c, int r0, int r1, int c0, int c1)
        {
            for (int r = r0; r < r1; r++)
            {
                for (int x = c0; x < c1; x++)
                {
                    t[((((n * C) + c) * H) + r) * W + x] = 1;
                }
            }
        }

        Fill(target, 0, 1, 0, 4, 0, 4);
        Fill(preds, 0, 1, 0, 2, 0, 2);
        Fill(target, 0, 3, 4, 10, 4, 10);
        Fill(preds, 0, 3, 8, 10, 8, 10);
        Fill(preds, 1, 3, 0, 2, 0, 2);
        return (preds, target);
    }

    private static double NanMean(IEnumerable<double> values)
    {
        double[] kept = values.Where(v => !double.IsNaN(v)).ToArray();
        return kept.Length == 0 ? double.NaN : kept.Average();
    }

    /// <summary>The port: numerator 2I, denominator |p|+|t|, support |t| per (sample, class); then the average; then nanmean over samples.</summary>
    private static double[] Reference(double[] preds, double[] target, string average, bool global, int firstClass)
    {
        int k = C - firstClass;
        var num = new double[N, k];
        var den = new double[N, k];
        var sup = new double[N, k];
        for (int n = 0; n < N; n++)
        {
            for (int c = 0; c < k; c++)
            {
                for (int i = 0; i < H * W; i++)
                {
                    int at = ((n * C) + c + firstClass) * H * W + i;
                    num[n, c] += 2 * preds[at] * target[at];
                    den[n, c] += preds[at] + target[at];
                    sup[n, c] += target[at];
                }
            }
        }

        int rows = global ? 1 : N;
        if (global)
        {
            var gn = new double[1, k];
            var gd = new double[1, k];
            var gs = new double[1, k];
            for (int c = 0; c < k; c++)
            {
                for (int n = 0; n < N; n++)
                {
                    gn[0, c] += num[n, c];
                    gd[0, c] += den[n, c];
                    gs[0, c] += sup[n, c];
                }
            }

            (num, den, sup) = (gn, gd, gs);
        }

        static double Div(double a, double b) => b == 0 ? double.NaN : a / b;
        var perRow = new List<double[]>();
        for (int n = 0; n < rows; n++)
        {
            double[] dice = Enumerable.Range(0, k).Select(c => Div(num[n, c], den[n, c])).ToArray();
            switch (average)
            {
                case "micro":
                    perRow.Add([Div(Enumerable.Range(0, k).Sum(c => num[n, c]), Enumerable.Range(0, k).Sum(c => den[n, c]))]);
                    break;
                case "macro":
                    perRow.Add([NanMean(dice)]);
                    break;
                case "weighted":
                {
                    double total = Enumerable.Range(0, k).Sum(c => sup[n, c]);
                    double nansum = 0;
                    for (int c = 0; c < k; c++)
                    {
                        double term = dice[c] * Div(sup[n, c], total);
                        nansum += double.IsNaN(term) ? 0 : term;
                    }

                    perRow.Add([dice.All(double.IsNaN) ? double.NaN : nansum]);
                    break;
                }

                default:
                    perRow.Add(dice);
                    break;
            }
        }

        return Enumerable.Range(0, perRow[0].Length).Select(j => NanMean(perRow.Select(r => r[j]))).ToArray();
    }

    [TestMethod]
    [DataRow("micro", "samplewise", true)]
    [DataRow("macro", "samplewise", true)]
    [DataRow("weighted", "samplewise", true)]
    [DataRow("none", "samplewise", true)]
    [DataRow("micro", "global", true)]
    [DataRow("macro", "global", true)]
    [DataRow("weighted", "global", true)]
    [DataRow("none", "global", true)]
    [DataRow("weighted", "samplewise", false)]
    [DataRow("macro", "samplewise", false)]
    public void MatchesThePortedFormula(string average, string aggregation, bool includeBackground)
    {
        (double[] preds, double[] target) = Masks();
        double[] expected = Reference(preds, target, average, aggregation == "global", includeBackground ? 0 : 1);
        double[] actual = Torchmetrics.DiceScore(C, includeBackground, average, aggregation)
            .ComputeFromMasks<double>(preds, target, new SegmentationShape(N, C, H, W));
        Assert.AreEqual(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.IsTrue(double.IsNaN(actual[i]), $"value {i}: expected NaN, got {actual[i]}");
            }
            else
            {
                Assert.AreEqual(expected[i], actual[i], 1e-12, $"value {i}");
            }
        }
    }

    [TestMethod]
    public void WeightedSamplewise_ByHand()
    {
        // Sample 0: class 1 dice 2·4/(16+4) = 0.4 with support 16, class 3 dice 2·4/(36+4) = 0.2 with support 36.
        // Sample 1 predicts class 3 without any target pixel: its Dice is 0 and its weights 0/0, so nansum reads 0.
        // Sample 2 is empty: every Dice is NaN, the sample is NaN and compute()'s nanmean leaves it out.
        (double[] preds, double[] target) = Masks();
        double sample0 = ((16 * 0.4) + (36 * 0.2)) / 52;
        double expected = (sample0 + 0) / 2;
        double actual = Torchmetrics.DiceScore(C, average: "weighted").ComputeFromMasks<double>(preds, target, new SegmentationShape(N, C, H, W))[0];
        Assert.AreEqual(expected, actual, 1e-12);
    }

    [TestMethod]
    public void WeightedSample_AllAbsentIsNaN_ZeroSupportIsZero()
    {
        var empty = new ConfusionCounts([new ClassConfusion(0, 0, 0, 10), new ClassConfusion(0, 0, 0, 10)]);
        var predictedOnly = new ConfusionCounts([new ClassConfusion(0, 0, 0, 10), new ClassConfusion(0, 3, 0, 7)]);
        TorchmetricsMetric weighted = Torchmetrics.DiceScore(2, average: "weighted");
        Assert.IsTrue(double.IsNaN(weighted.Compute([empty])[0]), "a sample with every class 0/0 is NaN");
        Assert.AreEqual(0.0, weighted.Compute([predictedOnly])[0], "a sample with scores but no support reads 0 (nansum)");
        Assert.AreEqual(0.0, weighted.Compute([empty, predictedOnly])[0], "the NaN sample is left out of the mean over samples");
    }

    [TestMethod]
    public void UnknownAverage_NamesTheParameter()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Torchmetrics.DiceScore(2, average: "samples"));
        Assert.AreEqual("average", ex.ParamName);
    }
}
