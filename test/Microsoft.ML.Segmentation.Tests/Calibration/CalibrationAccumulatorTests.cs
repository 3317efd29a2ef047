using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Tests.Calibration;

/// <summary>
/// The streaming accumulator against a brute-force pass over every pixel (a list of (confidence, correct) pairs, binned
/// by k/n ≤ c &lt; (k+1)/n and reduced with the textbook formulas), merges of shards, and the edge cases: empty bins,
/// a probability of exactly 1 and 0, ignored pixels.
/// </summary>
[TestClass]
public sealed class CalibrationAccumulatorTests
{
    private const int Bins = 10;

    [TestMethod]
    public void TopLabel_Streamed_EqualsBruteForce_EveryReduction()
    {
        (float[][] probabilities, int[][] labels) = RandomImages(seed: 3, images: 5, classes: 3, pixels: 97);
        var accumulator = new CalibrationAccumulator(CalibrationBinning.Uniform(Bins), groups: 1);
        var pairs = new List<(double Confidence, double Correct)>();
        for (int m = 0; m < probabilities.Length; m++)
        {
            accumulator.AddTopLabel<float>(probabilities[m], labels[m]);
            int pixels = labels[m].Length;
            for (int i = 0; i < pixels; i++)
            {
                if (labels[m][i] < 0)
                {
                    continue;
                }

                int best = Enumerable.Range(0, 3).OrderByDescending(c => probabilities[m][(c * pixels) + i]).ThenBy(c => c).First();
                pairs.Add((probabilities[m][(best * pixels) + i], best == labels[m][i] ? 1 : 0));
            }
        }

        Assert.AreEqual(pairs.Count, accumulator.CountOf(0));
        foreach (CalibrationReduction reduction in Enum.GetValues<CalibrationReduction>())
        {
            Assert.AreEqual(BruteForce(pairs, reduction), accumulator.Error(0, reduction), 1e-12, reduction.ToString());
        }
    }

    [TestMethod]
    public void ClassWise_Streamed_EqualsBruteForcePerClass()
    {
        (float[][] probabilities, int[][] labels) = RandomImages(seed: 5, images: 4, classes: 4, pixels: 60);
        var accumulator = new CalibrationAccumulator(CalibrationBinning.Uniform(Bins), groups: 4);
        foreach ((float[] p, int[] l) in probabilities.Zip(labels))
        {
            accumulator.AddClassWise<float>(p, l);
        }

        for (int c = 0; c < 4; c++)
        {
            var pairs = new List<(double, double)>();
            for (int m = 0; m < probabilities.Length; m++)
            {
                int pixels = labels[m].Length;
                for (int i = 0; i < pixels; i++)
                {
                    if (labels[m][i] >= 0)
                    {
                        pairs.Add((probabilities[m][(c * pixels) + i], labels[m][i] == c ? 1 : 0));
                    }
                }
            }

            Assert.AreEqual(BruteForce(pairs, CalibrationReduction.Expected), accumulator.Error(c, CalibrationReduction.Expected), 1e-12, $"class {c}");
            Assert.AreEqual(BruteForce(pairs, CalibrationReduction.Maximum), accumulator.Error(c, CalibrationReduction.Maximum), 1e-12, $"class {c}");
        }
    }

    [TestMethod]
    public void MergeOfTwoHalves_EqualsOnePass_BitForBit()
    {
        (float[][] probabilities, int[][] labels) = RandomImages(seed: 8, images: 6, classes: 3, pixels: 50);
        CalibrationBinning binning = CalibrationBinning.Uniform(Bins);
        var whole = new CalibrationAccumulator(binning, 1);
        var first = new CalibrationAccumulator(binning, 1);
        var second = new CalibrationAccumulator(binning, 1);
        for (int m = 0; m < probabilities.Length; m++)
        {
            whole.AddTopLabel<float>(probabilities[m], labels[m]);
            (m < 3 ? first : second).AddTopLabel<float>(probabilities[m], labels[m]);
        }

        first.Merge(second);
        for (int b = 0; b < binning.BinCount; b++)
        {
            Assert.AreEqual(whole.Bins(0)[b].Count, first.Bins(0)[b].Count, $"count of bin {b}");
            Assert.AreEqual(whole.Bins(0)[b].AccuracySum, first.Bins(0)[b].AccuracySum, $"accuracy of bin {b}");
            Assert.AreEqual(whole.Bins(0)[b].ConfidenceSum, first.Bins(0)[b].ConfidenceSum, $"confidence of bin {b}: fixed-point sums add exactly");
        }

        Assert.AreEqual(whole.Error(0, CalibrationReduction.Expected), first.Error(0, CalibrationReduction.Expected));
    }

    [TestMethod]
    public void ProbabilityOne_GoesToTheLastBin_OrItsOwnBinInTorchmetricsBinning()
    {
        var closed = new CalibrationAccumulator(CalibrationBinning.Uniform(2), 1);
        var torch = new CalibrationAccumulator(new CalibrationBinning([0, 0.5, 1], valueOnEdgeGoesUp: true, separateTopBin: true), 1);
        foreach (CalibrationAccumulator a in new[] { closed, torch })
        {
            a.Add(0, 1.0, 0);
            a.Add(0, 0.75, 1);
            a.Add(0, 0.0, 1);
        }

        Assert.AreEqual(2, closed.Bins(0)[1].Count, "1.0 shares [0.5, 1] with 0.75");
        Assert.AreEqual(1, torch.Bins(0)[2].Count, "1.0 has a bin of its own");
        Assert.AreEqual(1, torch.Bins(0)[0].Count, "0.0 is in the first bin");
        // By hand: closed bins {1.0→0, 0.75→1}: conf 0.875, acc 0.5, gap 0.375 ×2; {0.0→1}: gap 1 ×1.
        Assert.AreEqual(((0.375 * 2) + 1) / 3, closed.Error(0, CalibrationReduction.Expected), 1e-15);
        // torchmetrics bins: gaps |1−0| for 1.0, |1−0.75| for 0.75, |1−0| for 0.0 → (1 + 0.25 + 1)/3.
        Assert.AreEqual(2.25 / 3, torch.Error(0, CalibrationReduction.Expected), 1e-15);
        Assert.AreEqual(1.0, torch.Error(0, CalibrationReduction.Maximum));
        Assert.AreEqual((1 + 0.25 + 1) / 3, torch.Error(0, CalibrationReduction.Average), 1e-15);
    }

    [TestMethod]
    public void EmptyBins_TakeNoPart_AllEmptyIsNaN()
    {
        var a = new CalibrationAccumulator(CalibrationBinning.Uniform(5), 2);
        a.Add(1, 0.3, 1);
        a.Add(1, 0.9, 1);
        // Two non-empty bins, gaps 0.7 and 0.1: the average of non-empty bins ignores the three empty ones.
        Assert.AreEqual(0.4, a.Error(1, CalibrationReduction.Average), 1e-15);
        Assert.AreEqual(0.7, a.Error(1, CalibrationReduction.Maximum), 1e-15);
        Assert.AreEqual(0.4, a.Error(1, CalibrationReduction.Expected), 1e-15);
        Assert.IsTrue(double.IsNaN(a.Error(0, CalibrationReduction.Expected)));
        Assert.IsTrue(double.IsNaN(a.Error(0, CalibrationReduction.Maximum)));
        Assert.IsTrue(double.IsNaN(a.Bins(1)[0].MeanConfidence));
    }

    [TestMethod]
    public void IgnoredPixels_AreSkipped()
    {
        float[] p = [0.9f, 0.2f, 0.1f, 0.8f];
        var withIgnored = new CalibrationAccumulator(CalibrationBinning.Uniform(4), 1);
        withIgnored.AddTopLabel<float>(p, [0, -1]);
        var without = new CalibrationAccumulator(CalibrationBinning.Uniform(4), 1);
        without.AddTopLabel<float>([0.9f, 0.1f], [0]);
        Assert.AreEqual(1, withIgnored.CountOf(0));
        Assert.AreEqual(without.Error(0, CalibrationReduction.Expected), withIgnored.Error(0, CalibrationReduction.Expected));
        var classWise = new CalibrationAccumulator(CalibrationBinning.Uniform(4), 2);
        classWise.AddClassWise<float>(p, [1, 255]);
        Assert.AreEqual(1, classWise.CountOf(0));
        Assert.AreEqual(1, classWise.CountOf(1));
    }

    [TestMethod]
    public void MonaiEdges_AreSlightlyAboveKOverN()
    {
        double[] edges = Microsoft.ML.Segmentation.Peers.Monai.CalibrationBinEdges(5).Edges;
        Assert.AreEqual(0.0, edges[0]);
        Assert.AreEqual((double)(1 + MathF.Pow(2, -23)), edges[5]);
        for (int k = 1; k < 5; k++)
        {
            Assert.IsTrue(edges[k] > (float)(k / 5.0), $"edge {k} = {edges[k]:R}");
        }
    }

    [TestMethod]
    public void MismatchedBinnings_DoNotMerge()
    {
        var a = new CalibrationAccumulator(CalibrationBinning.Uniform(5), 1);
        var b = new CalibrationAccumulator(CalibrationBinning.Uniform(6), 1);
        Assert.ThrowsExactly<ArgumentException>(() => a.Merge(b));
        Assert.ThrowsExactly<ArgumentException>(() => a.Add(0, double.NaN, 1));
    }

    /// <summary>Pairs binned by k/n ≤ c &lt; (k+1)/n (1 in the last bin), then ECE, ACE, MCE or RMS written out.</summary>
    private static double BruteForce(List<(double Confidence, double Correct)> pairs, CalibrationReduction reduction)
    {
        var groups = pairs.GroupBy(p => Math.Min(Bins - 1, (int)Math.Floor(p.Confidence * Bins))).ToArray();
        double n = pairs.Count;
        double[] gaps = groups.Select(g => Math.Abs(g.Average(p => p.Correct) - g.Average(p => p.Confidence))).ToArray();
        double[] weights = groups.Select(g => g.Count() / n).ToArray();
        return reduction switch
        {
            CalibrationReduction.Expected => gaps.Zip(weights, (g, w) => g * w).Sum(),
            CalibrationReduction.Average => gaps.Average(),
            CalibrationReduction.Maximum => gaps.Max(),
            _ => Math.Sqrt(gaps.Zip(weights, (g, w) => g * g * w).Sum()),
        };
    }

    /// <summary>Softmax probabilities (channel-major) and labels with about one pixel in ten ignored (−1), some pixels exactly one-hot.</summary>
    private static (float[][] Probabilities, int[][] Labels) RandomImages(int seed, int images, int classes, int pixels)
    {
        var random = new Random(seed);
        var probabilities = new float[images][];
        var labels = new int[images][];
        for (int m = 0; m < images; m++)
        {
            probabilities[m] = new float[classes * pixels];
            labels[m] = new int[pixels];
            for (int i = 0; i < pixels; i++)
            {
                double[] logits = Enumerable.Range(0, classes).Select(_ => random.NextDouble() * 4).ToArray();
                double sum = logits.Sum(Math.Exp);
                bool certain = i % 13 == 0;
                for (int c = 0; c < classes; c++)
                {
                    probabilities[m][(c * pixels) + i] = certain ? (c == 0 ? 1f : 0f) : (float)(Math.Exp(logits[c]) / sum);
                }

                labels[m][i] = random.Next(10) == 0 ? -1 : random.Next(classes);
            }
        }

        return (probabilities, labels);
    }
}
