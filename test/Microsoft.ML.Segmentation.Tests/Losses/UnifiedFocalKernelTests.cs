using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="AsymmetricUnifiedFocalLoss"/>'s kernel (<c>UnifiedFocalKernel</c>: two passes over blocks, float
/// transcendentals, m from ℓ₁ after a softmax) against the formula pixel by pixel in float64
/// (<c>AsymmetricUnifiedFocalReference</c>): two-channel softmax logits, one- and two-channel probabilities (some at 0
/// and 1, so the clamp is active), label maps with and without ignored pixels, one-hot and soft dense targets with NaN,
/// the focal part alone, the Tversky part alone and both, several γ, float and double, sizes that cover SIMD tails,
/// block and work-item boundaries and the parallel path.
/// </summary>
[TestClass]
public sealed class UnifiedFocalKernelTests
{
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
        TestTarget target = form switch
        {
            TargetForm.Labels or TargetForm.LabelsWithIgnored => TestTarget.FromLabels(labels, 255),
            TargetForm.OneHot => TestTarget.FromDense(Microsoft.ML.Segmentation.GoldenVectors.LossProblem.OneHot(shape, labels, 255, offset: shape.Classes == 1 ? 1 : 0)),
            _ => TestTarget.FromDense(TargetForms.SoftWithNaN(random, shape.ElementCount)),
        };

        // Double: the reference's softmax backward, p₀(g₀ − p₀g₀ − p₁g₁), loses digits to 1 − p₀ where p₁ is small.
        // Float runs against the reference in float (the same rounded probabilities, its sums in double); the kernel
        // clamps at float(1 − ε) = 1 − 1.19e−7, as PyTorch does in float32, the reference at 1 − 1e−7, and on images of
        // a few pixels, all at the clamp, (1 − TI₁)^(1 − γ) with 1 − TI₁ ≈ 0.6·(1 − c₁) amplifies that.
        bool fewPixels = shape.PixelsPerImage < 8;
        var tolerances = new CheckTolerances(DoubleGradient: 1e-11, DoubleGradientRelative: 1e-9, SingleGradient: fewPixels ? 1e-2 : 1e-4, SingleValueAbsolute: fewPixels ? 2e-5 : 1e-6);
        VectorizedCheck.AssertMatches(loss.Compute, Reference<double>, loss.Compute, Reference<float>, input, shape, target, context, tolerances);

        double Reference<T>(ReadOnlySpan<T> x, SegmentationShape s, SegmentationTarget<T> t, Span<T> gradient)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => AsymmetricUnifiedFocalReference.Compute(loss, x, s, t, gradient);
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
}
