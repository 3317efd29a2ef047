using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="AsymmetricUnifiedFocalLoss"/>'s kernel (<c>UnifiedFocalKernel</c>: two passes over blocks, float
/// transcendentals, m from ℓ₁ after a softmax) against the formula pixel by pixel in float64
/// (<c>AsymmetricUnifiedFocalReference</c>): two-channel softmax logits, one- and two-channel probabilities (some at 0
/// and 1, so the clamp is active), label maps with and without ignored pixels, dense targets with NaN and soft values,
/// the focal part alone, the Tversky part alone and both, several γ, float and double, sizes that cover SIMD tails,
/// block and work-item boundaries and the parallel path.
/// </summary>
[TestClass]
public sealed class UnifiedFocalKernelTests
{
    public enum TargetForm
    {
        Labels,
        LabelsWithIgnored,
        DenseWithNaN,
        Soft,
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (int pixels in VectorizedCheck.OddSizes.Append(8192 + 1025))
        {
            yield return [pixels, Activation.Softmax, 2];
            yield return [pixels, Activation.None, 2];
            yield return [pixels, Activation.None, 1];
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void KernelMatchesTheReference(int pixels, Activation activation, int channels)
    {
        var random = new Random(pixels + channels);
        foreach (int batch in new[] { 1, 3 })
        {
            var shape = new SegmentationShape(batch, channels, 1, pixels);
            foreach ((double weight, double gamma) in new[] { (0.5, 0.5), (1.0, 1.5), (0.0, 0.0), (0.3, 1.0) })
            {
                var options = new AsymmetricUnifiedFocalLossOptions { Activation = activation, Weight = weight, Gamma = gamma, Delta = 0.6 };
                foreach (TargetForm form in Enum.GetValues<TargetForm>())
                {
                    Check(new AsymmetricUnifiedFocalLoss(options), random, shape, form, $"{activation} C={channels} N={batch} S={pixels} λ={weight} γ={gamma} {form}");
                }
            }
        }
    }

    [TestMethod]
    public void ParallelPathMatchesAndRepeatsBitForBit()
    {
        var shape = new SegmentationShape(3, 2, 130, 171);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var random = new Random(4);
        var loss = new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Activation = Activation.Softmax });
        foreach (TargetForm form in Enum.GetValues<TargetForm>())
        {
            Check(loss, random, shape, form, $"{form} parallel");
        }

        GradientCheck.AssertRepeatsBitForBit(loss, random, shape, 4, "unified focal parallel");
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteInputsAreNamed(float bad)
    {
        var shape = new SegmentationShape(2, 2, 1, 300);
        int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
        var loss = new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Activation = Activation.Softmax });
        foreach (int position in new[] { 0, 301, shape.ElementCount - 1 })
        {
            var input = new float[shape.ElementCount];
            input[position] = bad;
            var error = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), new float[input.Length]));
            StringAssert.Contains(error.Message, $"element {position}");
        }
    }

    private static void Check(AsymmetricUnifiedFocalLoss loss, Random random, SegmentationShape shape, TargetForm form, string context)
    {
        // Float-representable inputs. The clamp is active on exact 0 and 1 probabilities and on pixels whose two logits
        // are ±16 (p ≈ 1e−14); other logits lie within ±6 (p ≥ 6e−6), so no probability falls so near ε that float and
        // float64 disagree on which side of the clamp it is (a float softmax's p₀ + p₁ is not exactly 1 there either).
        double[] input = loss.Activation == Activation.Softmax ? Logits(random, shape)
            : Enumerable.Range(0, shape.ElementCount).Select(_ => random.NextDouble() switch { < 0.05 => 0.0, < 0.1 => 1.0, _ => (double)(float)random.NextDouble() }).ToArray();
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, 2, ignore: form == TargetForm.LabelsWithIgnored ? 255 : null, ignoreFraction: 0.1);
        bool labelMap = form is TargetForm.Labels or TargetForm.LabelsWithIgnored;
        double[] dense = Dense(random, shape, labels, form);
        float[] denseSingle = dense.Select(v => (float)v).ToArray();
        SegmentationTarget<double> Target() => labelMap ? SegmentationTarget<double>.FromLabels(labels, 255) : SegmentationTarget<double>.FromDense(dense);
        SegmentationTarget<float> SingleTarget() => labelMap ? SegmentationTarget<float>.FromLabels(labels, 255) : SegmentationTarget<float>.FromDense(denseSingle);

        var expectedGradient = new double[shape.ElementCount];
        double expected = AsymmetricUnifiedFocalReference.Compute<double>(loss, input, shape, Target(), expectedGradient);
        double max = expectedGradient.Max(Math.Abs);
        var gradient = new double[shape.ElementCount];
        gradient.AsSpan().Fill(12345);
        Assert.AreEqual(expected, loss.Compute<double>(input, shape, Target(), gradient), 1e-12 * Math.Max(1, Math.Abs(expected)), $"{context} (double): value");
        for (int i = 0; i < gradient.Length; i++)
        {
            // The reference's softmax backward, p₀(g₀ − p₀g₀ − p₁g₁), loses digits to 1 − p₀ where p₁ is small.
            Assert.AreEqual(expectedGradient[i], gradient[i], (1e-11 * max) + (1e-9 * Math.Abs(expectedGradient[i])) + 1e-300, $"{context} (double): gradient[{i}]");
        }

        // Float against the reference run in float (the same rounded probabilities, its sums in double).
        float[] single = input.Select(v => (float)v).ToArray();
        var singleExpectedGradient = new float[shape.ElementCount];
        double singleExpected = AsymmetricUnifiedFocalReference.Compute<float>(loss, single, shape, SingleTarget(), singleExpectedGradient);
        double singleMax = singleExpectedGradient.Max(v => Math.Abs((double)v));
        var singleGradient = new float[shape.ElementCount];
        singleGradient.AsSpan().Fill(12345);
        // The float kernel clamps at float(1 − ε) = 1 − 1.19e−7, as PyTorch does in float32; the reference at 1 − 1e−7.
        // On images of a few pixels, all at the clamp, (1 − TI₁)^(1 − γ) with 1 − TI₁ ≈ 0.6·(1 − c₁) amplifies that.
        bool fewPixels = shape.PixelsPerImage < 8;
        Assert.AreEqual(singleExpected, loss.Compute<float>(single, shape, SingleTarget(), singleGradient), (1e-5 * Math.Abs(singleExpected)) + (fewPixels ? 2e-5 : 1e-6), $"{context} (float): value");
        for (int i = 0; i < singleGradient.Length; i++)
        {
            Assert.AreEqual(singleExpectedGradient[i], singleGradient[i], ((fewPixels ? 1e-2 : 1e-4) * singleMax) + 1e-12, $"{context} (float): gradient[{i}]");
        }
    }

    /// <summary>Two-channel logits: about one pixel in ten saturated (±16, ∓16), the others within ±6.</summary>
    private static double[] Logits(Random random, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage;
        var logits = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int first = (n * 2 * s) + i;
                double sign = random.NextDouble() < 0.5 ? -1 : 1;
                bool saturated = random.NextDouble() < 0.1;
                logits[first] = saturated ? 16 * sign : (float)((random.NextDouble() - 0.5) * 12);
                logits[first + s] = saturated ? -16 * sign : (float)((random.NextDouble() - 0.5) * 12);
            }
        }

        return logits;
    }

    /// <summary>The dense form: one-hot of the labels with about one pixel in ten NaN in one channel, or soft values.</summary>
    private static double[] Dense(Random random, SegmentationShape shape, int[] labels, TargetForm form)
    {
        int c = shape.Classes, s = shape.PixelsPerImage;
        var dense = new double[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = labels[(n * s) + i];
                int nanChannel = random.NextDouble() < 0.1 ? random.Next(c) : -1;
                for (int k = 0; k < c; k++)
                {
                    int cls = c == 1 ? 1 : k;
                    double value = form == TargetForm.Soft ? (double)(float)random.NextDouble() : label == cls ? 1 : 0;
                    dense[(((n * c) + k) * s) + i] = form == TargetForm.DenseWithNaN && k == nanChannel ? double.NaN : value;
                }
            }
        }

        return dense;
    }
}
