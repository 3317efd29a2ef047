using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="AsymmetricUnifiedFocalLoss"/> (MONAI 1.5.0 <c>AsymmetricUnifiedFocalLoss</c> and its two parts): the
/// value against the parts written out here, the mix of the parts, and the gradient against central finite differences.
/// </summary>
[TestClass]
public sealed class AsymmetricUnifiedFocalLossTests
{
    [TestMethod]
    [DataRow(0.5, 0.5, 0.7)]
    [DataRow(1.0, 2.0, 0.7)]
    [DataRow(0.0, 0.75, 0.6)]
    [DataRow(0.3, 0.0, 0.5)]
    public void MatchesTheFormula(double weight, double gamma, double delta)
    {
        var random = new Random(41);
        var shape = new SegmentationShape(2, 2, 4, 5);
        (double[] p, double[] t) = Binary(random, shape);
        var options = new AsymmetricUnifiedFocalLossOptions { Weight = weight, Gamma = gamma, Delta = delta };
        double expected = (weight * Focal(p, t, shape, gamma, delta)) + ((1 - weight) * FocalTversky(p, t, shape, gamma, delta));
        Assert.AreEqual(expected, new AsymmetricUnifiedFocalLoss(options).Compute<double>(p, shape, SegmentationTarget<double>.FromDense(t)), 1e-12);
    }

    [TestMethod]
    public void OneChannelIsTheForegroundOfTwo()
    {
        var random = new Random(42);
        var two = new SegmentationShape(2, 2, 3, 3);
        var one = two.WithClasses(1);
        (double[] p, double[] t) = Binary(random, two);
        double[] foreground = Foreground(p, two);
        int[] labels = Foreground(t, two).Select(v => (int)v).ToArray();
        var loss = new AsymmetricUnifiedFocalLoss();
        Assert.AreEqual(loss.Compute<double>(p, two, SegmentationTarget<double>.FromDense(t)), loss.Compute<double>(foreground, one, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
        Assert.AreEqual(loss.Compute<double>(p, two, SegmentationTarget<double>.FromDense(t)), loss.Compute<double>(p, two, SegmentationTarget<double>.FromLabels(labels)), 1e-12);
    }

    public static IEnumerable<object[]> GradientSettings()
    {
        yield return new object[] { Activation.None, 2, 0.5, 0.5, false };
        yield return new object[] { Activation.None, 2, 1.0, 2.0, false };
        yield return new object[] { Activation.None, 2, 0.0, 0.75, true };
        yield return new object[] { Activation.Softmax, 2, 0.4, 0.3, true };
        yield return new object[] { Activation.None, 1, 0.5, 0.5, true };
        yield return new object[] { Activation.None, 1, 0.6, 0.0, false };
    }

    [TestMethod]
    [DynamicData(nameof(GradientSettings))]
    public void GradientMatchesFiniteDifferences(Activation activation, int channels, double weight, double gamma, bool ignored)
    {
        var random = new Random(43);
        var shape = new SegmentationShape(2, channels, 3, 4);
        var options = new AsymmetricUnifiedFocalLossOptions { Activation = activation, Weight = weight, Gamma = gamma, Delta = 0.65 };
        double[] input = activation == Activation.None ? GradientCheck.RandomProbabilities(random, shape.ElementCount) : GradientCheck.RandomInput(random, shape.ElementCount);
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2, ignored ? 255 : null);
        GradientCheck.AssertMatches(new AsymmetricUnifiedFocalLoss(options), input, shape, TestTarget.FromLabels(labels, ignored ? 255 : null));
    }

    [TestMethod]
    public void TheClampStopsTheGradient()
    {
        var shape = new SegmentationShape(1, 2, 1, 2);
        double[] p = [1, 0.4, 0, 0.6]; // pixel 0 is clamped in both channels
        int[] labels = [0, 1];
        var gradient = new double[4];
        new AsymmetricUnifiedFocalLoss().Compute<double>(p, shape, SegmentationTarget<double>.FromLabels(labels), gradient);
        Assert.AreEqual(0, gradient[0]);
        Assert.AreEqual(0, gradient[2]);
        Assert.AreNotEqual(0, gradient[1]);
    }

    [TestMethod]
    public void PresetsAndRefusals()
    {
        var random = new Random(44);
        var shape = new SegmentationShape(1, 2, 3, 3);
        (double[] p, double[] t) = Binary(random, shape);
        SegmentationTarget<double> dense = SegmentationTarget<double>.FromDense(t);
        Assert.AreEqual(new AsymmetricUnifiedFocalLoss().Compute<double>(p, shape, dense), Monai.AsymmetricUnifiedFocalLoss().Compute<double>(p, shape, dense), 0);
        Assert.AreEqual(Focal(p, t, shape, 2, 0.7), Monai.AsymmetricFocalLoss().Compute<double>(p, shape, dense), 1e-12);
        Assert.AreEqual(FocalTversky(p, t, shape, 0.75, 0.7), Monai.AsymmetricFocalTverskyLoss().Compute<double>(p, shape, dense), 1e-12);
        int[] labels = Foreground(t, shape).Select(v => (int)v).ToArray();
        Assert.Throws<ArgumentException>(() => Monai.AsymmetricUnifiedFocalLoss(toOnehotY: true).Compute<double>(p, shape, SegmentationTarget<double>.FromLabels(labels)));
        Assert.Throws<NotSupportedException>(() => Monai.AsymmetricUnifiedFocalLoss(numClasses: 3));
        Assert.Throws<ArgumentException>(() => new AsymmetricUnifiedFocalLoss().Compute<double>(new double[27], new SegmentationShape(1, 3, 3, 3), SegmentationTarget<double>.FromLabels(new int[9])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Delta = 1.2 }));
    }

    private static (double[] P, double[] T) Binary(Random random, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage;
        var p = new double[shape.ElementCount];
        var t = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double fg = 0.02 + (0.96 * random.NextDouble());
                int label = random.Next(2);
                p[(n * 2 * s) + i] = 1 - fg;
                p[(((n * 2) + 1) * s) + i] = fg;
                t[(n * 2 * s) + i] = 1 - label;
                t[(((n * 2) + 1) * s) + i] = label;
            }
        }

        return (p, t);
    }

    private static double[] Foreground(double[] x, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage;
        return Enumerable.Range(0, shape.Batch).SelectMany(n => x.Skip(((n * 2) + 1) * s).Take(s)).ToArray();
    }

    private static double Clamp(double v) => Math.Clamp(v, 1e-7, 1 - 1e-7);

    /// <summary>MONAI AsymmetricFocalLoss: mean over images and pixels of (1 − δ)(1 − p₀)^γ CE₀ + δ CE₁.</summary>
    private static double Focal(double[] p, double[] t, SegmentationShape shape, double gamma, double delta)
    {
        int s = shape.PixelsPerImage;
        double sum = 0;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double p0 = Clamp(p[(n * 2 * s) + i]), p1 = Clamp(p[(((n * 2) + 1) * s) + i]);
                double t0 = t[(n * 2 * s) + i], t1 = t[(((n * 2) + 1) * s) + i];
                sum += ((1 - delta) * Math.Pow(1 - p0, gamma) * -t0 * Math.Log(p0)) + (delta * -t1 * Math.Log(p1));
            }
        }

        return sum / (shape.Batch * s);
    }

    /// <summary>MONAI AsymmetricFocalTverskyLoss: mean over (image, class) of 1 − TI₀ and (1 − TI₁)·(1 − TI₁)^(−γ).</summary>
    private static double FocalTversky(double[] p, double[] t, SegmentationShape shape, double gamma, double delta)
    {
        int s = shape.PixelsPerImage;
        double sum = 0;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int k = 0; k < 2; k++)
            {
                double tp = 0, fn = 0, fp = 0;
                for (int i = 0; i < s; i++)
                {
                    double pk = Clamp(p[(((n * 2) + k) * s) + i]), tk = t[(((n * 2) + k) * s) + i];
                    tp += tk * pk;
                    fn += tk * (1 - pk);
                    fp += (1 - tk) * pk;
                }

                double index = (tp + 1e-7) / (tp + (delta * fn) + ((1 - delta) * fp) + 1e-7);
                sum += k == 0 ? 1 - index : (1 - index) * Math.Pow(1 - index, -gamma);
            }
        }

        return sum / (2 * shape.Batch);
    }
}
