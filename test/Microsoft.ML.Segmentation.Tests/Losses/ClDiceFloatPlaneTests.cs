using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// clDice's float path (<c>SoftSkeletonPlane</c>, vectorized 2-D planes) against the N-dimensional double reference
/// (<c>SoftSkeleton</c>, itself checked against brute-force windows and finite differences in <see cref="SoftclDiceLossTests"/>).
/// </summary>
[TestClass]
public sealed class ClDiceFloatPlaneTests
{
    /// <summary>Plane sizes around the vector widths (4, 8 and 16 floats) and degenerate ones.</summary>
    private static readonly (int Height, int Width)[] Sizes = [(1, 1), (1, 9), (9, 1), (2, 2), (5, 6), (7, 13), (16, 16), (3, 33), (11, 17), (6, 64)];

    public static IEnumerable<object[]> PlaneCases()
    {
        foreach ((int h, int w) in Sizes)
        {
            foreach (int iterations in new[] { 0, 1, 3 })
            {
                yield return [h, w, iterations];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(PlaneCases))]
    public void SkeletonAndBackwardMatchTheReference(int height, int width, int iterations)
    {
        var random = new Random((height * 1000) + (width * 10) + iterations);
        int s = height * width;
        var plane = new SoftSkeletonPlane(height, width, iterations);
        foreach (bool ties in new[] { false, true })
        {
            // Quantized values tie everywhere: the picks (and so the routed gradient) must be the reference's.
            float[] x = Enumerable.Range(0, s).Select(_ => ties ? random.Next(5) / 4f : (float)random.NextDouble()).ToArray();
            float[] upstream = Enumerable.Range(0, s).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            double[] xd = x.Select(v => (double)v).ToArray();
            var tape = new SoftSkeletonTape();
            double[] expected = SoftSkeleton.Skeletonize(xd, [height, width], iterations, tape);
            var expectedGradient = new double[s];
            SoftSkeleton.Backward(tape, upstream.Select(v => (double)v).ToArray(), expectedGradient);

            // The value-only form first (it reuses its planes), then the recording one on the same instance.
            plane.Skeletonize(x, forBackward: false);
            var valueOnly = new float[s];
            plane.CopySkeleton(valueOnly);
            Assert.ThrowsExactly<InvalidOperationException>(() => plane.Backward(upstream, new float[s]));
            plane.Skeletonize(x);
            var actual = new float[s];
            plane.CopySkeleton(actual);
            CollectionAssert.AreEqual(valueOnly, actual, "both forms compute the same skeleton");
            var gradient = new float[s];
            plane.Backward(upstream, gradient);
            for (int i = 0; i < s; i++)
            {
                Assert.AreEqual(expected[i], actual[i], 1e-6, $"skeleton[{i}] of {height}×{width}, {iterations} iterations, ties={ties}");
                Assert.AreEqual(expected[i], plane.SkeletonAt(i / width, i % width), 1e-6);
                Assert.AreEqual(expectedGradient[i], gradient[i], 1e-5, $"gradient[{i}] of {height}×{width}, {iterations} iterations, ties={ties}");
            }
        }
    }

    public static IEnumerable<object[]> LossCases()
    {
        yield return [Activation.Softmax, 1.0, false, 3];
        yield return [Activation.Softmax, 0.5, true, 2];
        yield return [Activation.Sigmoid, 0.7, true, 1];
        yield return [Activation.None, 1.0, false, 0];
        yield return [Activation.None, 0.3, true, 4];
    }

    [TestMethod]
    [DynamicData(nameof(LossCases))]
    public void LossAndGradientMatchTheReference(Activation activation, double alpha, bool background, int iterations)
    {
        var random = new Random(31 + iterations);
        var loss = new ClDiceLoss(new ClDiceLossOptions { Activation = activation, Alpha = alpha, IncludeBackground = background, Iterations = iterations });
        foreach ((int h, int w) in new[] { (5, 6), (13, 21), (32, 40) })
        {
            var shape = new SegmentationShape(2, 3, h, w);
            float[] input = Enumerable.Range(0, shape.ElementCount)
                .Select(_ => activation == Activation.None ? (float)random.NextDouble() : (float)((random.NextDouble() - 0.5) * 8))
                .ToArray();
            int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
            float[] soft = FocalVectorizedTests.SoftTarget(random, shape).Select(v => double.IsNaN(v) ? 0.5f : (float)v).ToArray();
            Compare(loss, input, shape, SegmentationTarget<float>.FromLabels(labels), $"{activation} α={alpha} {h}×{w} labels");
            Compare(loss, input, shape, SegmentationTarget<float>.FromDense(soft), $"{activation} α={alpha} {h}×{w} soft");
        }
    }

    [TestMethod]
    public void ParallelPlanesRepeatBitForBit()
    {
        // Enough regions and pixels for the thread pool: planes are reused across regions and threads.
        var shape = new SegmentationShape(4, 5, 48, 50);
        var random = new Random(5);
        float[] input = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)((random.NextDouble() - 0.5) * 6)).ToArray();
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes);
        var loss = new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Softmax, Alpha = 0.5 });
        Compare(loss, input, shape, SegmentationTarget<float>.FromLabels(labels), "parallel");
        var first = new float[input.Length];
        var second = new float[input.Length];
        double a = loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels), first);
        double b = loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels), second);
        Assert.AreEqual(a, b, 0);
        CollectionAssert.AreEqual(first, second);
    }

    private static void Compare(ClDiceLoss loss, float[] input, SegmentationShape shape, SegmentationTarget<float> target, string context)
    {
        var expectedGradient = new float[input.Length];
        double expected = loss.ComputeReference<float>(input, shape, target, expectedGradient);
        var gradient = new float[input.Length];
        double actual = loss.Compute<float>(input, shape, target, gradient);
        Assert.AreEqual(expected, loss.Compute<float>(input, shape, target), 1e-6 * Math.Abs(expected), context + ": value without gradient");
        Assert.AreEqual(expected, actual, 1e-6 * Math.Abs(expected), context + ": value");
        double max = expectedGradient.Max(v => Math.Abs(v));
        Assert.IsGreaterThan(0, max, context + ": the gradient is not all zero");
        for (int i = 0; i < input.Length; i++)
        {
            Assert.AreEqual(expectedGradient[i], gradient[i], 1e-4 * max, $"{context}: gradient[{i}]");
        }
    }
}
