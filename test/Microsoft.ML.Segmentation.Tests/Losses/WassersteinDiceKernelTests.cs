using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Losses;

/// <summary>
/// <see cref="GeneralizedWassersteinDiceLoss"/>'s two-pass kernel (<c>WassersteinDiceKernel</c>: sums per class, the
/// gradient as γ per pixel times a term the forward pass wrote) against the formula pixel by pixel in float64
/// (<c>GeneralizedWassersteinDiceReference</c>, C² products per pixel, the library's activation kernels), on label maps
/// with and without ignored pixels, one-hot and soft dense targets with NaN elements, both weightings, softmax and
/// probabilities, one to 21 classes, sizes that cover SIMD tails, block and work-item boundaries and the parallel path.
/// The suite reruns with each SIMD switch off.
/// </summary>
[TestClass]
public sealed class WassersteinDiceKernelTests
{
    public static IEnumerable<object[]> Sizes()
    {
        foreach (int pixels in VectorizedCheck.OddSizes.Append(8192 + 1025))
        {
            foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
            {
                yield return [pixels, weighting, Activation.Softmax];
                yield return [pixels, weighting, Activation.None];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Sizes))]
    public void KernelMatchesTheReferenceOnOddSizes(int pixels, WassersteinDiceWeighting weighting, Activation activation)
    {
        var random = new Random(pixels + (int)weighting);
        foreach ((int batch, int classes) in new[] { (1, 1), (1, 2), (2, 3), (3, 5) })
        {
            var shape = new SegmentationShape(batch, classes, 1, pixels);
            foreach (TargetForm form in Enum.GetValues<TargetForm>())
            {
                foreach (LossReduction reduction in new[] { LossReduction.Mean, LossReduction.Sum })
                {
                    Check(Options(random, classes, weighting, activation, reduction), random, shape, form, $"{weighting} {activation} {reduction} {form} N={batch} C={classes} S={pixels}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(7)]
    [DataRow(8)]
    [DataRow(15)]
    [DataRow(16)]
    [DataRow(23)]
    [DataRow(24)]
    [DataRow(31)]
    [DataRow(32)]
    public void EveryLabelTableSizeMatches(int classes)
    {
        // The label table has C + 1 rows (the last for pixels without a class): one to four eight-entry permute tables
        // up to 31 classes, the scalar read from 32 on. Labels of every class appear, the highest rows included.
        var random = new Random(classes);
        var shape = new SegmentationShape(2, classes, 1, 67);
        foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
        {
            GeneralizedWassersteinDiceLossOptions options = Options(random, classes, weighting, Activation.Softmax, LossReduction.Mean);
            foreach (TargetForm form in Enum.GetValues<TargetForm>())
            {
                Check(options, random, shape, form, $"{weighting} {form} C={classes}");
            }
        }
    }

    [TestMethod]
    public void ParallelPathMatchesAndRepeatsBitForBit()
    {
        // 2·21·96·97 elements: above ParallelWork.MinimumParallelElements, two work items per image, the benchmark's class count.
        var shape = new SegmentationShape(2, 21, 96, 97);
        Assert.IsGreaterThan(ParallelWork.MinimumParallelElements, shape.ElementCount);
        var random = new Random(8);
        foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
        {
            GeneralizedWassersteinDiceLossOptions options = Options(random, shape.Classes, weighting, Activation.Softmax, LossReduction.Mean);
            foreach (TargetForm form in Enum.GetValues<TargetForm>())
            {
                Check(options, random, shape, form, $"{weighting} {form} parallel");
            }

            GradientCheck.AssertRepeatsBitForBit(new GeneralizedWassersteinDiceLoss(options), random, shape, 4, $"{weighting} parallel");
        }
    }

    [TestMethod]
    public void GradientMatchesFiniteDifferencesOnEveryTargetForm()
    {
        var random = new Random(12);
        var shape = new SegmentationShape(2, 4, 3, 7);
        foreach (WassersteinDiceWeighting weighting in new[] { WassersteinDiceWeighting.Default, WassersteinDiceWeighting.GeneralizedDice })
        {
            var loss = new GeneralizedWassersteinDiceLoss(Options(random, shape.Classes, weighting, Activation.Softmax, LossReduction.Sum));
            double[] input = GradientCheck.RandomInput(random, shape.ElementCount, 2);
            GradientCheck.AssertMatches(loss, input, shape, TestTarget.FromLabels(GradientCheck.RandomLabels(random, shape.PixelCount, shape.Classes, ignore: 255), 255));
            GradientCheck.AssertMatches(loss, input, shape, TestTarget.FromDense(TargetForms.SoftWithNaN(random, shape.ElementCount)));
        }
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void NonFiniteInputsAndInfiniteTargetsAreNamed(float bad)
    {
        var shape = new SegmentationShape(2, 3, 1, 300);
        var loss = new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1, 2], [1, 0, 1], [2, 1, 0]] });
        int[] labels = Enumerable.Repeat(255, shape.PixelCount).ToArray();
        foreach (int position in new[] { 0, 301, shape.ElementCount - 1 })
        {
            var input = new float[shape.ElementCount];
            input[position] = bad;
            var error = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(input, shape, SegmentationTarget<float>.FromLabels(labels, 255), new float[input.Length]));
            StringAssert.Contains(error.Message, $"element {position}");
        }

        var dense = new float[shape.ElementCount];
        dense[302] = float.PositiveInfinity;
        var targetError = Assert.ThrowsExactly<ArgumentException>(() => loss.Compute<float>(new float[shape.ElementCount], shape, SegmentationTarget<float>.FromDense(dense)));
        StringAssert.Contains(targetError.Message, "element 302");
    }

    /// <summary>An asymmetric matrix with a zero diagonal and entries up to 3 (so the loss divides by the largest).</summary>
    private static GeneralizedWassersteinDiceLossOptions Options(Random random, int classes, WassersteinDiceWeighting weighting, Activation activation, LossReduction reduction)
    {
        double[][] matrix = Enumerable.Range(0, classes)
            .Select(l => Enumerable.Range(0, classes).Select(k => classes == 1 ? 2.0 : l == k ? 0 : Math.Round(random.NextDouble() * 3, 3)).ToArray())
            .ToArray();
        return new GeneralizedWassersteinDiceLossOptions
        {
            DistanceMatrix = matrix,
            Weighting = weighting,
            Activation = activation,
            Reduction = reduction,
            SmoothNumerator = 1e-3,
            SmoothDenominator = 1e-2,
        };
    }

    private static void Check(GeneralizedWassersteinDiceLossOptions options, Random random, SegmentationShape shape, TargetForm form, string context)
    {
        var loss = new GeneralizedWassersteinDiceLoss(options);

        // Float-representable inputs and targets, so the float run and the float64 reference see the same values.
        double[] input = (options.Activation == Activation.Softmax ? GradientCheck.RandomInput(random, shape.ElementCount, 4) : GradientCheck.RandomProbabilities(random, shape.ElementCount))
            .Select(v => (double)(float)v).ToArray();
        int labelCount = shape.Classes == 1 ? 2 : shape.Classes; // one channel: labels 0 and 1, the target being label 1
        int[] labels = GradientCheck.RandomLabels(random, shape.PixelCount, labelCount, ignore: form == TargetForm.LabelsWithIgnored ? 255 : null, ignoreFraction: 0.1);
        TestTarget target = form switch
        {
            TargetForm.Labels or TargetForm.LabelsWithIgnored => TestTarget.FromLabels(labels, 255),
            TargetForm.OneHot => TestTarget.FromDense(Microsoft.ML.Segmentation.GoldenVectors.LossProblem.OneHot(shape, labels, 255, offset: shape.Classes == 1 ? 1 : 0)),
            _ => TestTarget.FromDense(TargetForms.SoftWithNaN(random, shape.ElementCount)),
        };

        // Float against the reference in float (its probabilities rounded as the kernel's are, its sums in double): on
        // a few pixels the loss's cancellations (TP = Σ t(1 − W) with W near 1) amplify the rounding of p itself.
        double Reference<T>(ReadOnlySpan<T> x, SegmentationShape s, SegmentationTarget<T> t, Span<T> gradient)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            double[] terms = GeneralizedWassersteinDiceReference.Run(loss, x, s, t, gradient);
            return options.Reduction == LossReduction.Mean ? terms.Average() : terms.Sum();
        }

        VectorizedCheck.AssertMatches(loss.Compute, Reference<double>, loss.Compute, Reference<float>, input, shape, target, context, new CheckTolerances(SingleValueAbsolute: 1e-6));
        double[] expectedTerms = GeneralizedWassersteinDiceReference.Run<double>(loss, input, shape, target.Double(), default);
        double[] actualTerms = loss.ComputeTerms<double>(input, shape, target.Double());
        for (int n = 0; n < shape.Batch; n++)
        {
            Assert.AreEqual(expectedTerms[n], actualTerms[n], 1e-12, $"{context} (double): image {n}");
        }
    }
}
