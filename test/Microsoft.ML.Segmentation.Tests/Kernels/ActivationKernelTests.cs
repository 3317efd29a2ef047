using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Kernels;

/// <summary>
/// Vectorized activations against plain scalar formulas on sizes that hit every SIMD width and its tails
/// (.ci/run repeats this class with hardware intrinsics, AVX-512 and AVX2 turned off).
/// </summary>
[TestClass]
public sealed class ActivationKernelTests
{
    public static IEnumerable<object[]> Sizes()
    {
        foreach (int pixels in new[] { 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 2048, 2051 })
        {
            yield return new object[] { pixels, pixels % 4 + 1 };
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void SoftmaxAndLogSoftmaxMatchScalar(int pixels, int classes)
    {
        var shape = new SegmentationShape(2, classes == 1 ? 2 : classes, 1, pixels);
        var random = new Random(pixels);
        float[] x = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)((random.NextDouble() * 40) - 20)).ToArray();
        var p = new float[x.Length];
        var logp = new float[x.Length];
        ActivationKernels.Softmax<float>(x, shape, p);
        ActivationKernels.LogSoftmax<float>(x, shape, logp);
        int s = shape.PixelsPerImage, c = shape.Classes;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                double max = double.NegativeInfinity;
                for (int k = 0; k < c; k++)
                {
                    max = Math.Max(max, x[(((n * c) + k) * s) + i]);
                }

                double sum = 0;
                for (int k = 0; k < c; k++)
                {
                    sum += Math.Exp(x[(((n * c) + k) * s) + i] - max);
                }

                for (int k = 0; k < c; k++)
                {
                    int at = (((n * c) + k) * s) + i;
                    double expected = x[at] - max - Math.Log(sum);
                    Assert.AreEqual(Math.Exp(expected), p[at], 1e-6, $"softmax at {at}");
                    Assert.AreEqual(expected, logp[at], 1e-5 * Math.Max(1, Math.Abs(expected)), $"log-softmax at {at}");
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void BackwardMatchesScalar(int pixels, int classes)
    {
        var shape = new SegmentationShape(1, classes + 1, 1, pixels);
        var random = new Random(pixels + 7);
        double[] x = Enumerable.Range(0, shape.ElementCount).Select(_ => (random.NextDouble() * 6) - 3).ToArray();
        double[] upstream = Enumerable.Range(0, shape.ElementCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (Activation activation in new[] { Activation.Softmax, Activation.Sigmoid })
        {
            var p = new double[x.Length];
            ActivationKernels.Apply<double>(activation, x, shape, p);
            var g = (double[])upstream.Clone();
            ActivationKernels.Backward<double>(activation, p, g, shape);
            int s = shape.PixelsPerImage, c = shape.Classes;
            for (int i = 0; i < s; i++)
            {
                double dot = 0;
                for (int k = 0; k < c; k++)
                {
                    dot += p[(k * s) + i] * upstream[(k * s) + i];
                }

                for (int k = 0; k < c; k++)
                {
                    int at = (k * s) + i;
                    double expected = activation == Activation.Softmax ? p[at] * (upstream[at] - dot) : upstream[at] * p[at] * (1 - p[at]);
                    Assert.AreEqual(expected, g[at], 1e-12, $"{activation} at {at}");
                }
            }
        }
    }

    [TestMethod]
    public void SoftmaxMayWriteOverItsInput()
    {
        var shape = new SegmentationShape(2, 3, 5, 7);
        var random = new Random(3);
        double[] x = Enumerable.Range(0, shape.ElementCount).Select(_ => random.NextDouble() * 5).ToArray();
        var expected = new double[x.Length];
        ActivationKernels.Softmax<double>(x, shape, expected);
        ActivationKernels.Softmax<double>(x, shape, x);
        CollectionAssert.AreEqual(expected, x);
    }

    [TestMethod]
    public void ExtremeLogitsStayFinite()
    {
        var shape = new SegmentationShape(1, 2, 1, 3);
        float[] x = { 80, -80, 0, -80, 80, 0 };
        var logp = new float[6];
        ActivationKernels.LogSoftmax<float>(x, shape, logp);
        Assert.IsTrue(logp.All(float.IsFinite), string.Join(", ", logp));
        Assert.AreEqual(-160, logp[3], 1e-3);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(8)]
    [DataRow(17)]
    [DataRow(1031)]
    [DataRow(3000)]
    public void ChunkedSumsMatchScalar(int length)
    {
        var random = new Random(length);
        float[] a = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
        // Each chunk of 1024 adds in float (sequentially when SIMD is off), so allow float rounding of the chunk sums.
        static double Tolerance(double expected) => 1e-6 + (1e-5 * Math.Abs(expected));
        double sum = a.Sum(v => (double)v), squares = a.Sum(v => (double)v * v), dot = a.Zip(b, (u, v) => (double)u * v).Sum();
        Assert.AreEqual(sum, ChunkedSum.Sum<float>(a), Tolerance(sum));
        Assert.AreEqual(squares, ChunkedSum.SumOfSquares<float>(a), Tolerance(squares));
        Assert.AreEqual(dot, ChunkedSum.Dot<float>(a, b), Tolerance(dot));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(6)]
    [DataRow(7)]
    [DataRow(8)]
    [DataRow(9)]
    [DataRow(33)]
    public void FiniteGuardFindsTheFirstBadElement(int position)
    {
        var values = new float[40];
        values[position] = float.NaN;
        values[39] = float.PositiveInfinity;
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FiniteGuard.ThrowIfNotFinite<float>(values, "scores"));
        StringAssert.Contains(ex.Message, $"element {position};");
        FiniteGuard.ThrowIfNotFinite<float>(new float[37], "scores");
    }
}
