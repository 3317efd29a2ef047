using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// The head's whole parameter gradient (features → upsample and concatenate → 1x1 layers → logits → upsample to the
/// labels → loss) against central finite differences, in float64 through the same code the float head runs.
/// </summary>
[TestClass]
public sealed class HeadGradientTests
{
    private const int Classes = 3;

    public static IEnumerable<object[]> Cases()
    {
        foreach (string loss in new[] { "ce", "ce-weighted", "dice", "lovasz", "ce+dice" })
        {
            foreach (int hidden in new[] { 0, 4 })
            {
                foreach (bool flip in new[] { false, true })
                {
                    yield return [loss, hidden, flip];
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GradientMatchesFiniteDifferences(string lossName, int hidden, bool flip)
    {
        ISegmentationLoss loss = MakeLoss(lossName);
        var random = new Random(lossName.Length * 13 + hidden + (flip ? 1 : 0));
        FeatureMaps features = TinyFeatures(random);
        int[] labels = GradientCheck.RandomLabels(random, features.ImageHeight * features.ImageWidth, Classes, ignore: 255);
        var computation = new HeadComputation<double>(features.TotalChannels, hidden, Classes);
        double[] parameters = GradientCheck.RandomInput(random, computation.ParameterCount, scale: 0.8);
        var analytic = new double[parameters.Length];
        computation.Step(parameters, features, labels, 255, loss, analytic, scale: 1, flip);

        var scratch = new double[parameters.Length];
        const double h = 1e-6;
        for (int i = 0; i < parameters.Length; i++)
        {
            double saved = parameters[i];
            parameters[i] = saved + h;
            double plus = computation.Step(parameters, features, labels, 255, loss, scratch, 1, flip);
            parameters[i] = saved - h;
            double minus = computation.Step(parameters, features, labels, 255, loss, scratch, 1, flip);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            Assert.AreEqual(numeric, analytic[i], 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{lossName}: ∂/∂θ[{i}]");
        }
    }

    [TestMethod]
    public void GradientsAreScaledAndAccumulated()
    {
        var random = new Random(5);
        FeatureMaps features = TinyFeatures(random);
        int[] labels = GradientCheck.RandomLabels(random, features.ImageHeight * features.ImageWidth, Classes);
        var computation = new HeadComputation<double>(features.TotalChannels, 4, Classes);
        double[] parameters = GradientCheck.RandomInput(random, computation.ParameterCount);
        var once = new double[parameters.Length];
        var twice = new double[parameters.Length];
        var loss = new CrossEntropyLoss();
        computation.Step(parameters, features, labels, null, loss, once, 1, false);
        computation.Step(parameters, features, labels, null, loss, twice, 0.25, false);
        computation.Step(parameters, features, labels, null, loss, twice, 0.75, false);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.AreEqual(once[i], twice[i], 1e-12 * Math.Max(1, Math.Abs(once[i])));
        }
    }

    [TestMethod]
    public void FloatHeadAgreesWithTheDoubleComputation()
    {
        // Same parameters in float and double: float32 rounding of sums over ~100 pixels stays near 1e-6 relative.
        var random = new Random(11);
        FeatureMaps features = TinyFeatures(random);
        int[] labels = GradientCheck.RandomLabels(random, features.ImageHeight * features.ImageWidth, Classes, ignore: 255);
        var head = new SegmentationHead(new SegmentationHeadOptions { InputChannels = features.TotalChannels, Classes = Classes, Architecture = HeadArchitecture.Mlp, HiddenChannels = 4, Seed = 3 });
        float[] parameters = head.GetParameters();
        var floatGradient = new float[parameters.Length];
        var loss = new CrossEntropyLoss();
        double floatLoss = head.AccumulateGradient(features, labels, 255, loss, floatGradient);
        var computation = new HeadComputation<double>(features.TotalChannels, 4, Classes);
        var doubleGradient = new double[parameters.Length];
        double doubleLoss = computation.Step(parameters.Select(v => (double)v).ToArray(), features, labels, 255, loss, doubleGradient, 1, false);
        Assert.AreEqual(doubleLoss, floatLoss, 1e-5 * doubleLoss);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.AreEqual(doubleGradient[i], floatGradient[i], 1e-5 * Math.Max(1e-2, Math.Abs(doubleGradient[i])), $"θ[{i}]");
        }

        var scores = new float[Classes * features.ImageHeight * features.ImageWidth];
        var expected = new double[scores.Length];
        head.Predict(features, scores);
        computation.Predict(parameters.Select(v => (double)v).ToArray(), features, expected);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.AreEqual(expected[i], scores[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [TestMethod]
    public void StepsAndPredictionAllocateNothingAfterWarmUp()
    {
        var random = new Random(2);
        FeatureMaps features = TinyFeatures(random);
        int[] labels = GradientCheck.RandomLabels(random, features.ImageHeight * features.ImageWidth, Classes);
        var head = new SegmentationHead(new SegmentationHeadOptions { InputChannels = features.TotalChannels, Classes = Classes, Architecture = HeadArchitecture.Mlp, HiddenChannels = 4 });
        var gradient = new float[head.ParameterCount];
        var scores = new float[Classes * features.ImageHeight * features.ImageWidth];
        var loss = new HalfSquaredLoss();
        head.AccumulateGradient(features, labels, null, loss, gradient, 1, flipHorizontally: true);
        head.Predict(features, scores);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            head.AccumulateGradient(features, labels, null, loss, gradient, 1, flipHorizontally: i % 2 == 0);
            head.Predict(features, scores);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>½Σx², gradient x: a loss that allocates nothing, so only the head's own allocations are measured.</summary>
    private sealed class HalfSquaredLoss : ISegmentationLoss
    {
        public string Name => "half_squared";

        public double Compute<T>(ReadOnlySpan<T> input, Microsoft.ML.Segmentation.Losses.SegmentationShape shape, Microsoft.ML.Segmentation.Losses.SegmentationTarget<T> target, Span<T> inputGradient = default)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            double sum = 0;
            for (int i = 0; i < input.Length; i++)
            {
                double v = double.CreateTruncating(input[i]);
                sum += 0.5 * v * v;
            }

            input.CopyTo(inputGradient);
            return sum;
        }
    }

    /// <summary>Two maps, strides 2 and 4, of a 7x10 image (the grids do not divide it evenly).</summary>
    internal static FeatureMaps TinyFeatures(Random random)
    {
        float[] Values(int n) => GradientCheck.RandomInput(random, n).Select(v => (float)v).ToArray();
        return new FeatureMaps(7, 10,
        [
            new FeatureMap(3, 4, 5, 2, Values(3 * 4 * 5)),
            new FeatureMap(2, 2, 3, 4, Values(2 * 2 * 3)),
        ]);
    }

    private static ISegmentationLoss MakeLoss(string name) => name switch
    {
        "ce" => new CrossEntropyLoss(),
        "ce-weighted" => new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = [0.5, 2.0, 1.25] }),
        "dice" => new DiceLoss(),
        "lovasz" => new LovaszSoftmaxLoss(),
        "ce+dice" => new CombinedLoss((new CrossEntropyLoss(), 1.0), (new DiceLoss(), 0.5)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
