using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>Head training end to end on a synthetic task whose features encode the class linearly.</summary>
[TestClass]
public sealed class HeadTrainerTests
{
    private const int Classes = 3;
    private const int Size = 32;

    [TestMethod]
    public void SeparableTaskReachesHighValidationMeanIou()
    {
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 16, noise: 0.15, seed: 1);
        var reports = new List<HeadEpochReport>();
        HeadTrainingResult result = HeadTrainer.Train(store, labels, new HeadTrainingOptions
        {
            Epochs = 30,
            BatchSize = 4,
            LearningRate = 0.05,
            ValidationFraction = 0.25,
            EarlyStoppingPatience = 0,
            HorizontalFlip = true,
            Progress = reports.Add,
        });
        Assert.HasCount(30, reports);
        double best = result.History[result.BestEpoch - 1].ValidationMeanIou;
        Assert.IsGreaterThan(0.95, best, $"best validation mIoU {best}; losses {string.Join(", ", reports.Select(r => $"{r.TrainLoss:F3}/{r.ValidationMeanIou:F3}"))}");
        Assert.IsLessThan(result.History[0].TrainLoss, result.History[^1].TrainLoss);
        Assert.AreEqual(reports.Max(r => r.ValidationMeanIou), best);
    }

    [TestMethod]
    public void SameSeedGivesIdenticalParametersAndOtherSeedsDiffer()
    {
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 8, noise: 0.3, seed: 2);
        HeadTrainingOptions Options(int seed) => new()
        {
            Seed = seed,
            Epochs = 3,
            BatchSize = 3,
            Architecture = HeadArchitecture.Mlp,
            HiddenChannels = 8,
            HorizontalFlip = true,
            ValidationFraction = 0.25,
            Optimizer = new HeadOptimizerOptions { WeightDecay = 1e-2 },
            Schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.Cosine, WarmupSteps = 2 },
        };
        float[] first = HeadTrainer.Train(store, labels, Options(7)).Head.GetParameters();
        float[] second = HeadTrainer.Train(store, labels, Options(7)).Head.GetParameters();
        float[] other = HeadTrainer.Train(store, labels, Options(8)).Head.GetParameters();
        CollectionAssert.AreEqual(first, second);
        CollectionAssert.AreNotEqual(first, other);
    }

    [TestMethod]
    public void EarlyStoppingReturnsTheBestEpochsParameters()
    {
        // Nearly noise-free: validation mIoU reaches its plateau early, so patience runs out before the last epoch.
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 12, noise: 0.05, seed: 3);
        HeadTrainingOptions Options(int epochs) => new()
        {
            Epochs = epochs,
            BatchSize = 2,
            LearningRate = 0.05,
            ValidationFraction = 0.25,
            EarlyStoppingPatience = 3,
        };
        HeadTrainingResult stopped = HeadTrainer.Train(store, labels, Options(60));
        Assert.IsTrue(stopped.StoppedEarly);
        Assert.HasCount(stopped.BestEpoch + 3, stopped.History);
        Assert.IsTrue(stopped.History[stopped.BestEpoch - 1].IsBest);
        Assert.IsFalse(stopped.History.Skip(stopped.BestEpoch).Any(r => r.IsBest));
        Assert.AreEqual(stopped.History.Max(r => r.ValidationMeanIou), stopped.History[stopped.BestEpoch - 1].ValidationMeanIou);

        // The same run cut at the best epoch ends with exactly the parameters the stopped run returned.
        HeadTrainingResult cut = HeadTrainer.Train(store, labels, Options(stopped.BestEpoch));
        CollectionAssert.AreEqual(cut.Head.GetParameters(), stopped.Head.GetParameters());
    }

    [TestMethod]
    public void ClassWeightsReachTheDefaultLossAndAreRejectedWithAGivenLoss()
    {
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 4, noise: 0.3, seed: 4);
        HeadTrainingResult result = HeadTrainer.Train(store, labels, new HeadTrainingOptions { Epochs = 1, ClassWeighting = ClassWeighting.MedianFrequency, ValidationFraction = 0 });
        Assert.IsNotNull(result.ClassWeights);
        Assert.HasCount(Classes, result.ClassWeights);
        Assert.AreEqual(1, result.BestEpoch);

        var e = Assert.ThrowsExactly<ArgumentException>(() => HeadTrainer.Train(store, labels, new HeadTrainingOptions { Loss = new DiceLoss(), ClassWeighting = ClassWeighting.Inverse }));
        Assert.AreEqual("options", e.ParamName);
    }

    [TestMethod]
    public void CancellationStopsTraining()
    {
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 4, noise: 0.3, seed: 5);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => HeadTrainer.Train(store, labels, null, cancel.Token));
    }

    [TestMethod]
    public void SaveAndLoadRoundTripTheHead()
    {
        var head = new SegmentationHead(new SegmentationHeadOptions { InputChannels = 6, Classes = 4, Architecture = HeadArchitecture.Mlp, HiddenChannels = 5, Seed = 9 });
        using var stream = new MemoryStream();
        head.Save(stream);
        Assert.AreEqual(4 + (6 * 4) + (head.ParameterCount * 4), stream.Length);
        stream.Position = 0;
        SegmentationHead loaded = SegmentationHead.Load(stream);
        Assert.AreEqual(HeadArchitecture.Mlp, loaded.Architecture);
        Assert.AreEqual(5, loaded.HiddenChannels);
        CollectionAssert.AreEqual(head.GetParameters(), loaded.GetParameters());
        Assert.ThrowsExactly<InvalidDataException>(() => SegmentationHead.Load(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
    }

    [TestMethod]
    public void InitialisationIsSeededHeUniformWithZeroBiases()
    {
        var options = new SegmentationHeadOptions { InputChannels = 24, Classes = 3, Architecture = HeadArchitecture.Mlp, HiddenChannels = 6, Seed = 1 };
        var head = new SegmentationHead(options);
        float[] p = head.GetParameters();
        Assert.AreEqual((6 * 24) + 6 + (3 * 6) + 3, p.Length);
        double bound1 = Math.Sqrt(6.0 / 24);
        Assert.IsTrue(p.Take(6 * 24).All(v => Math.Abs(v) <= bound1));
        Assert.IsTrue(p.Skip(6 * 24).Take(6).All(v => v == 0));
        Assert.IsTrue(p.Skip(150).Take(18).All(v => Math.Abs(v) <= Math.Sqrt(3.0 / 6)));
        Assert.IsTrue(head.IsBias(150 - 1) && !head.IsBias(150) && head.IsBias(p.Length - 1));
        CollectionAssert.AreEqual(p, new SegmentationHead(options).GetParameters());
        options.Seed = 2;
        CollectionAssert.AreNotEqual(p, new SegmentationHead(options).GetParameters());
    }

    /// <summary>
    /// 32x32 images made of 8x8 blocks of random class; a stride-4 map whose first three channels are the one-hot class
    /// of each cell plus Gaussian-ish noise, one pure-noise channel, and a stride-8 map of two noise channels.
    /// </summary>
    private static (InMemoryFeatureStore Store, int[][] Labels) Synthetic(int images, double noise, int seed)
    {
        var random = new Random(seed);
        float Noise() => (float)(noise * ((random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2));
        var maps = new List<FeatureMaps>();
        var labels = new int[images][];
        for (int n = 0; n < images; n++)
        {
            var blocks = new int[4, 4];
            for (int by = 0; by < 4; by++)
            {
                for (int bx = 0; bx < 4; bx++)
                {
                    blocks[by, bx] = random.Next(Classes);
                }
            }

            var fine = new float[4 * 8 * 8];
            for (int cy = 0; cy < 8; cy++)
            {
                for (int cx = 0; cx < 8; cx++)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        fine[(c * 64) + (cy * 8) + cx] = (c == blocks[cy / 2, cx / 2] ? 1f : 0f) + Noise();
                    }
                }
            }

            float[] coarse = Enumerable.Range(0, 2 * 4 * 4).Select(_ => Noise()).ToArray();
            maps.Add(new FeatureMaps(Size, Size, [new FeatureMap(4, 8, 8, 4, fine), new FeatureMap(2, 4, 4, 8, coarse)]));
            labels[n] = new int[Size * Size];
            for (int y = 0; y < Size; y++)
            {
                for (int x = 0; x < Size; x++)
                {
                    labels[n][(y * Size) + x] = blocks[y / 8, x / 8];
                }
            }

            labels[n][random.Next(Size * Size)] = 255;
        }

        return (new InMemoryFeatureStore(maps), labels);
    }
}
