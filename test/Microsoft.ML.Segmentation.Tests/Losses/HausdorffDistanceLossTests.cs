using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="HausdorffDistanceLoss"/> against a brute-force reference (activation, one-hot, distance fields by
/// exhaustive search, terms, reduction written out directly) and its gradient against central finite differences.
/// </summary>
[TestClass]
public sealed class HausdorffDistanceLossTests
{
    public static IEnumerable<object[]> Settings()
    {
        foreach (Activation activation in new[] { Activation.None, Activation.Sigmoid, Activation.Softmax })
        {
            foreach (bool perImage in new[] { true, false })
            {
                foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
                {
                    yield return new object[] { activation, perImage, reduction, !perImage, reduction == LossReduction.Sum ? 1.5 : 2.0, activation == Activation.Sigmoid && perImage };
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Settings))]
    public void MatchesTheBruteForceReference(Activation activation, bool perImage, LossReduction reduction, bool background, double alpha, bool log)
    {
        var random = new Random(31);
        var shape = new SegmentationShape(2, 3, 5, 6);
        var options = new HausdorffDistanceLossOptions { Activation = activation, PerImage = perImage, Reduction = reduction, IncludeBackground = background, Alpha = alpha, LogLoss = log };
        double[] input = Input(random, shape, activation);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        double expected = HausdorffReference.Loss(input, shape, HausdorffReference.OneHot(labels, shape), options, out _);
        double actual = Create(options).Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels));
        Assert.AreEqual(expected, actual, 1e-12 * Math.Max(1, Math.Abs(expected)));
    }

    [TestMethod]
    [DynamicData(nameof(Settings))]
    public void GradientMatchesFiniteDifferences(Activation activation, bool perImage, LossReduction reduction, bool background, double alpha, bool log)
    {
        var random = new Random(32);
        var shape = new SegmentationShape(2, 3, 4, 5);
        var options = new HausdorffDistanceLossOptions { Activation = activation, PerImage = perImage, Reduction = reduction, IncludeBackground = background, Alpha = alpha, LogLoss = log };
        double[] input = Input(random, shape, activation);
        double[] dense = HausdorffReference.OneHot(GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes), shape);
        GradientCheck.AssertMatches(Create(options), input, shape, TestTarget.FromDense(dense), step: 1e-6, tolerance: 1e-6);
    }

    [TestMethod]
    public void GradientWithOneSigmoidChannelAndSoftTargets()
    {
        var random = new Random(33);
        var shape = new SegmentationShape(3, 1, 6, 4);
        var options = new HausdorffDistanceLossOptions { Activation = Activation.Sigmoid, LogLoss = true };
        double[] input = Input(random, shape, Activation.Sigmoid);
        double[] soft = Enumerable.Range(0, shape.ElementCount).Select(_ => random.NextDouble() < 0.5 ? 0.1 * random.NextDouble() : 0.9 + (0.1 * random.NextDouble())).ToArray();
        GradientCheck.AssertMatches(Create(options), input, shape, TestTarget.FromDense(soft));
        double expected = HausdorffReference.Loss(input, shape, soft, options, out _);
        Assert.AreEqual(expected, Create(options).Compute<double>(input, shape, SegmentationTarget<double>.FromDense(soft)), 1e-12);
    }

    [TestMethod]
    public void MonaiShapeTestCase()
    {
        // MONAI tests/losses/test_hausdorff_loss.py, first case: sigmoid, include_background, [1,1,2,2].
        var shape = new SegmentationShape(1, 1, 2, 2);
        double[] logits = { 1, -1, -1, 1 };
        double[] target = { 1, 0, 1, 1 };
        var options = new HausdorffDistanceLossOptions { Activation = Activation.Sigmoid, IncludeBackground = true };
        Assert.AreEqual(0.509329, Create(options).Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(target)), 1e-6);
        options.LogLoss = true;
        Assert.AreEqual(0.4116651812039158, Create(options).Compute<double>(logits, shape, SegmentationTarget<double>.FromDense(target)), 1e-6);
    }

    [TestMethod]
    public void TermsAreOnePerImageAndKeptClass()
    {
        var random = new Random(34);
        var shape = new SegmentationShape(2, 3, 4, 4);
        double[] input = Input(random, shape, Activation.Softmax);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        var options = new HausdorffDistanceLossOptions { Activation = Activation.Softmax };
        HausdorffReference.Loss(input, shape, HausdorffReference.OneHot(labels, shape), options, out double[] expected);
        double[] terms = Create(options).ComputeTerms<double>(input, shape, SegmentationTarget<double>.FromLabels(labels));
        Assert.AreEqual(4, terms.Length);
        CollectionAssert.AreEqual(expected, terms, Comparer<double>.Create((a, b) => Math.Abs(a - b) < 1e-12 ? 0 : a.CompareTo(b)));
        Assert.AreEqual(terms.Average(), Create(options).Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12);

        options.PerImage = false;
        options.LogLoss = true;
        HausdorffReference.Loss(input, shape, HausdorffReference.OneHot(labels, shape), options, out expected);
        terms = Create(options).ComputeTerms<double>(input, shape, SegmentationTarget<double>.FromLabels(labels));
        Assert.AreEqual(2, terms.Length);
        Assert.AreEqual(expected[0], terms[0], 1e-12);
        Assert.AreEqual(expected[1], terms[1], 1e-12);
    }

    [TestMethod]
    public void EmptyAndFullMasksHaveZeroFields()
    {
        // Target all background and prediction all below the threshold: both fields are zero, so is the loss.
        var shape = new SegmentationShape(1, 1, 3, 3);
        double[] p = Enumerable.Repeat(0.3, 9).ToArray();
        var loss = Create(new HausdorffDistanceLossOptions());
        Assert.AreEqual(0, loss.Compute<double>(p, shape, SegmentationTarget<double>.FromDense(new double[9])));
        var gradient = new double[9];
        loss.Compute<double>(p, shape, SegmentationTarget<double>.FromDense(Enumerable.Repeat(1.0, 9).ToArray()), gradient);
        CollectionAssert.AreEqual(new double[9], gradient);
    }

    [TestMethod]
    public void IgnoredPixelsLeaveTheMean()
    {
        var random = new Random(35);
        var shape = new SegmentationShape(2, 2, 4, 4);
        double[] input = Input(random, shape, Activation.Softmax);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2, ignore: 255, ignoreFraction: 0.25);
        var options = new HausdorffDistanceLossOptions { Activation = Activation.Softmax, IncludeBackground = true };
        double[] dense = HausdorffReference.OneHot(labels, shape, ignore: 255);
        double expected = HausdorffReference.Loss(input, shape, dense, options, out _);
        var loss = Create(options);
        Assert.AreEqual(expected, loss.Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels, 255)), 1e-12);
        Assert.AreEqual(expected, loss.Compute<double>(input, shape, SegmentationTarget<double>.FromDense(dense)), 1e-12);
        GradientCheck.AssertMatches(loss, input, shape, TestTarget.FromLabels(labels, 255));
    }

    [TestMethod]
    public void SingleMatchesDouble()
    {
        var random = new Random(36);
        var shape = new SegmentationShape(2, 3, 7, 5);
        double[] input = Input(random, shape, Activation.Softmax);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        var loss = Create(new HausdorffDistanceLossOptions { Activation = Activation.Softmax });
        var g64 = new double[shape.ElementCount];
        var g32 = new float[shape.ElementCount];
        double v64 = loss.Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels), g64);
        double v32 = loss.Compute<float>(input.Select(v => (float)v).ToArray(), shape, SegmentationTarget<float>.FromLabels(labels), g32);
        Assert.AreEqual(v64, v32, 1e-5 * Math.Max(1, v64));
        for (int i = 0; i < g64.Length; i++)
        {
            Assert.AreEqual(g64[i], g32[i], 1e-5 * Math.Max(1, Math.Abs(g64[i])), $"element {i}");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void VolumesUseDistancesInEveryAxis(bool anisotropic)
    {
        var random = new Random(37);
        var shape = new SegmentationShape(2, 2, 1, 4 * 3 * 5); // [N, C, 1, D·H·W]
        var options = new HausdorffDistanceLossOptions
        {
            Activation = Activation.Softmax,
            SpatialShape = new[] { 4, 3, 5 },
            Spacing = anisotropic ? new[] { 2.5, 1.0, 0.7 } : null,
            PerImage = !anisotropic,
        };
        double[] input = Input(random, shape, Activation.Softmax);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        double expected = HausdorffReference.Loss(input, shape, HausdorffReference.OneHot(labels, shape), options, out _);
        var loss = Create(options);
        Assert.AreEqual(expected, loss.Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels)), 1e-12 * Math.Max(1, expected));
        GradientCheck.AssertMatches(loss, input, shape, TestTarget.FromLabels(labels));

        // The same volume read as a 2-D [4·3, 5] image gives another (2-D) loss.
        options.SpatialShape = null;
        options.Spacing = null;
        Assert.AreNotEqual(expected, Create(options).Compute<double>(input, new SegmentationShape(2, 2, 12, 5), SegmentationTarget<double>.FromLabels(labels)), 1e-9);
    }

    [TestMethod]
    public void SpacingStretchesTheImageAxes()
    {
        var random = new Random(38);
        var shape = new SegmentationShape(1, 1, 6, 7);
        var options = new HausdorffDistanceLossOptions { Spacing = new[] { 0.5, 3.0 }, Alpha = 1 };
        double[] input = Input(random, shape, Activation.None);
        double[] target = Enumerable.Range(0, shape.ElementCount).Select(_ => (double)random.Next(2)).ToArray();
        double expected = HausdorffReference.Loss(input, shape, target, options, out _);
        Assert.AreEqual(expected, Create(options).Compute<double>(input, shape, SegmentationTarget<double>.FromDense(target)), 1e-12 * Math.Max(1, expected));
        GradientCheck.AssertMatches(Create(options), input, shape, TestTarget.FromDense(target));
    }

    [TestMethod]
    public void ParallelRegionsMatchTheReference()
    {
        // Large enough for the regions to run on the thread pool; blobs give long distances.
        var random = new Random(39);
        var shape = new SegmentationShape(3, 3, 32, 32);
        int[] labels = new int[shape.PixelCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            int cy = random.Next(32), cx = random.Next(32), r = 4 + random.Next(8);
            for (int i = 0; i < shape.PixelsPerImage; i++)
            {
                int y = i / 32, x = i % 32;
                labels[(n * shape.PixelsPerImage) + i] = ((y - cy) * (y - cy)) + ((x - cx) * (x - cx)) < r * r ? 1 : x > 28 ? 2 : 0;
            }
        }

        double[] input = Input(random, shape, Activation.Softmax);
        var options = new HausdorffDistanceLossOptions { Activation = Activation.Softmax, LogLoss = true };
        double expected = HausdorffReference.Loss(input, shape, HausdorffReference.OneHot(labels, shape), options, out _);
        var g64 = new double[shape.ElementCount];
        var g32 = new float[shape.ElementCount];
        var loss = Create(options);
        Assert.AreEqual(expected, loss.Compute<double>(input, shape, SegmentationTarget<double>.FromLabels(labels), g64), 1e-12 * Math.Max(1, expected));
        Assert.AreEqual(expected, loss.Compute<float>(input.Select(v => (float)v).ToArray(), shape, SegmentationTarget<float>.FromLabels(labels), g32), 1e-5 * Math.Max(1, expected));
        for (int i = 0; i < g64.Length; i++)
        {
            Assert.AreEqual(g64[i], g32[i], 1e-5 * Math.Max(1, Math.Abs(g64[i])), $"element {i}");
        }

        // A few coordinates by finite differences (the full check runs on the small tensors above).
        foreach (int i in new[] { 0, 1234, 5000, shape.ElementCount - 1 })
        {
            double[] x = (double[])input.Clone();
            x[i] += 1e-6;
            double plus = loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
            x[i] -= 2e-6;
            double minus = loss.Compute<double>(x, shape, SegmentationTarget<double>.FromLabels(labels));
            Assert.AreEqual((plus - minus) / 2e-6, g64[i], 1e-6 * Math.Max(1, Math.Abs(g64[i])), $"element {i}");
        }
    }

    [TestMethod]
    public void OptionsAreValidated()
    {
        Assert.AreEqual("options.Alpha", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Alpha = -1 })).ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Alpha = double.NaN }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = (Activation)7 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Reduction = (LossReduction)7 }));
        var shape = new SegmentationShape(1, 1, 2, 2);
        var softmax = new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => softmax.Compute<double>(new double[4], shape, SegmentationTarget<double>.FromDense(new double[4])));
        Assert.AreEqual("input", ex.ParamName);
        ex = Assert.ThrowsExactly<ArgumentException>(() => new HausdorffDistanceLoss().Compute<double>(new double[4], shape, SegmentationTarget<double>.FromDense(new double[4]), new double[3]));
        Assert.AreEqual("inputGradient", ex.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { SpatialShape = new[] { 2, 0 } }));
        Assert.AreEqual("options.Spacing", Assert.ThrowsExactly<ArgumentException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Spacing = new[] { 1.0, 1, 1 } })).ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Spacing = new[] { 1.0, -1 } }));
        var volume = new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { SpatialShape = new[] { 2, 2, 2 } });
        ex = Assert.ThrowsExactly<ArgumentException>(() => volume.Compute<double>(new double[4], shape, SegmentationTarget<double>.FromDense(new double[4])));
        Assert.AreEqual("shape", ex.ParamName);
        Assert.AreEqual("hausdorff_dt", new HausdorffDistanceLoss().Name);
        Assert.AreEqual("log_hausdorff_dt", new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { LogLoss = true }).Name);
    }

    internal static HausdorffDistanceLoss Create(HausdorffDistanceLossOptions options) => new(options);

    /// <summary>Random scores whose probabilities all stay at least 0.02 from the 0.5 threshold, so small steps never move a mask.</summary>
    private static double[] Input(Random random, SegmentationShape shape, Activation activation)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var x = new double[shape.ElementCount];
        var logits = new double[c];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                bool ok;
                do
                {
                    for (int k = 0; k < c; k++)
                    {
                        logits[k] = activation == Activation.None
                            ? (random.NextDouble() < 0.5 ? 0.05 + (0.4 * random.NextDouble()) : 0.55 + (0.4 * random.NextDouble()))
                            : (random.NextDouble() * 6) - 3;
                    }

                    double sum = logits.Sum(Math.Exp);
                    ok = activation switch
                    {
                        Activation.Sigmoid => logits.All(v => Math.Abs((1 / (1 + Math.Exp(-v))) - 0.5) > 0.02),
                        Activation.Softmax => logits.All(v => Math.Abs((Math.Exp(v) / sum) - 0.5) > 0.02),
                        _ => true,
                    };
                }
                while (!ok);

                for (int k = 0; k < c; k++)
                {
                    x[(((n * c) + k) * s) + i] = logits[k];
                }
            }
        }

        return x;
    }
}

/// <summary>Everything written out the slow, obvious way.</summary>
internal static class HausdorffReference
{
    /// <summary>scipy <c>distance_transform_edt</c> by exhaustive search: distance of each nonzero pixel to the nearest zero pixel.</summary>
    public static void BruteForceTransform(ReadOnlySpan<byte> mask, int[] axes, double[] spacing, Span<double> distances)
    {
        int count = mask.Length;
        int[][] coordinates = Enumerable.Range(0, count).Select(i => Unravel(i, axes)).ToArray();
        for (int i = 0; i < count; i++)
        {
            if (mask[i] == 0)
            {
                distances[i] = 0;
                continue;
            }

            double best = double.PositiveInfinity;
            for (int j = 0; j < count; j++)
            {
                if (mask[j] == 0)
                {
                    double squared = 0;
                    for (int a = 0; a < axes.Length; a++)
                    {
                        double delta = (coordinates[i][a] - coordinates[j][a]) * spacing[a];
                        squared += delta * delta;
                    }

                    best = Math.Min(best, Math.Sqrt(squared));
                }
            }

            distances[i] = best;
        }
    }

    private static int[] Unravel(int index, int[] axes)
    {
        var coordinate = new int[axes.Length];
        for (int a = axes.Length - 1; a >= 0; a--)
        {
            coordinate[a] = index % axes[a];
            index /= axes[a];
        }

        return coordinate;
    }

    public static double[] OneHot(int[] labels, SegmentationShape shape, int? ignore = null)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var dense = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int k = 0; k < c; k++)
            {
                for (int i = 0; i < s; i++)
                {
                    int label = labels[(n * s) + i];
                    dense[(((n * c) + k) * s) + i] = label == ignore ? double.NaN : label == (c == 1 ? 1 : k) ? 1 : 0;
                }
            }
        }

        return dense;
    }

    /// <summary>The loss; <paramref name="terms"/> receives the terms (log(term + 1) with LogLoss). NaN targets are ignored.</summary>
    public static double Loss(double[] input, SegmentationShape shape, double[] target, HausdorffDistanceLossOptions options, out double[] terms)
    {
        int n = shape.Batch, c = shape.Classes, h = shape.Height, w = shape.Width, s = h * w;
        double[] p = new double[input.Length];
        for (int b = 0; b < n; b++)
        {
            for (int i = 0; i < s; i++)
            {
                double[] x = Enumerable.Range(0, c).Select(k => input[(((b * c) + k) * s) + i]).ToArray();
                for (int k = 0; k < c; k++)
                {
                    p[(((b * c) + k) * s) + i] = options.Activation switch
                    {
                        Activation.Sigmoid => 1 / (1 + Math.Exp(-x[k])),
                        Activation.Softmax => Math.Exp(x[k]) / x.Sum(Math.Exp),
                        _ => x[k],
                    };
                }
            }
        }

        int first = options.IncludeBackground || c == 1 ? 0 : 1;
        var sums = new double[n, c];
        var counts = new double[n, c];
        for (int b = 0; b < n; b++)
        {
            for (int k = first; k < c; k++)
            {
                int offset = ((b * c) + k) * s;
                double[] pk = p.Skip(offset).Take(s).ToArray();
                double[] tk = target.Skip(offset).Take(s).ToArray();
                int[] axes = options.SpatialShape?.ToArray() ?? new[] { h, w };
                double[] spacing = options.Spacing?.ToArray() ?? Enumerable.Repeat(1.0, axes.Length).ToArray();
                double[] fp = Field(pk, axes, spacing);
                double[] ft = Field(tk.Select(v => double.IsNaN(v) ? 0 : v).ToArray(), axes, spacing);
                for (int i = 0; i < s; i++)
                {
                    if (double.IsNaN(tk[i]))
                    {
                        continue;
                    }

                    sums[b, k] += (pk[i] - tk[i]) * (pk[i] - tk[i]) * (Math.Pow(fp[i], options.Alpha) + Math.Pow(ft[i], options.Alpha));
                    counts[b, k]++;
                }
            }
        }

        var raw = new List<double>();
        if (options.PerImage)
        {
            for (int b = 0; b < n; b++)
            {
                for (int k = first; k < c; k++)
                {
                    raw.Add(counts[b, k] > 0 ? sums[b, k] / counts[b, k] : 0);
                }
            }
        }
        else
        {
            for (int k = first; k < c; k++)
            {
                double sum = Enumerable.Range(0, n).Sum(b => sums[b, k]);
                double count = Enumerable.Range(0, n).Sum(b => counts[b, k]);
                raw.Add(count > 0 ? sum / count : 0);
            }
        }

        terms = raw.Select(t => options.LogLoss ? Math.Log(t + 1) : t).ToArray();
        double value = options.Reduction == LossReduction.Mean ? raw.Average() : raw.Sum();
        return options.LogLoss ? Math.Log(value + 1) : value;
    }

    private static double[] Field(double[] values, int[] axes, double[] spacing)
    {
        byte[] fg = values.Select(v => v > 0.5 ? (byte)1 : (byte)0).ToArray();
        var field = new double[values.Length];
        if (fg.All(v => v == 1) || fg.All(v => v == 0))
        {
            return field;
        }

        var inside = new double[values.Length];
        var outside = new double[values.Length];
        BruteForceTransform(fg, axes, spacing, inside);
        BruteForceTransform(fg.Select(v => (byte)(1 - v)).ToArray(), axes, spacing, outside);
        return inside.Zip(outside, (a, b) => a + b).ToArray();
    }
}
