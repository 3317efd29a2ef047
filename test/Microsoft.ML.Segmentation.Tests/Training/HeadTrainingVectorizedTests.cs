using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// Head training with the blocked matrix products against the plain loops the head used before
/// (<see cref="LoopHeadMatrixKernels"/>): the same loss curve, validation mIoU and parameters within float rounding,
/// for a linear head and an MLP, on channel counts and pixel counts that are no multiple of any vector width or block.
/// "Vectorized" in the name: .ci/run repeats it on every SIMD tier.
/// </summary>
[TestClass]
public sealed class HeadTrainingVectorizedTests
{
    private const int Classes = 5;

    [TestMethod]
    [DataRow(HeadArchitecture.Linear, 0)]
    [DataRow(HeadArchitecture.Mlp, 37)]
    public void BlockedProductsGiveTheLoopsLossCurve(HeadArchitecture architecture, int hidden)
    {
        (InMemoryFeatureStore store, int[][] labels) = Synthetic(images: 6, seed: 4);
        HeadTrainingOptions options = new()
        {
            Classes = Classes,
            Architecture = architecture,
            HiddenChannels = Math.Max(hidden, 1),
            Epochs = 4,
            BatchSize = 2,
            LearningRate = 0.01,
            ValidationFraction = 0.2,
            EarlyStoppingPatience = 0,
            HorizontalFlip = true,
            Seed = 3,
        };
        HeadTrainingResult loops = HeadTrainer.TrainWithKernels(store, labels, options, LoopHeadMatrixKernels.Instance, CancellationToken.None);
        HeadTrainingResult blocked = HeadTrainer.TrainWithKernels(store, labels, options, null, CancellationToken.None);

        Assert.HasCount(options.Epochs, blocked.History);
        for (int e = 0; e < options.Epochs; e++)
        {
            double expected = loops.History[e].TrainLoss;
            Assert.AreEqual(expected, blocked.History[e].TrainLoss, 1e-5 * Math.Abs(expected), $"epoch {e + 1} train loss");
            Assert.AreEqual(loops.History[e].ValidationMeanIou, blocked.History[e].ValidationMeanIou, 1e-3, $"epoch {e + 1} validation mIoU");
        }

        // The loss must have moved, or equal curves would say nothing.
        Assert.IsLessThan(loops.History[0].TrainLoss, loops.History[^1].TrainLoss);
        float[] expectedParameters = loops.Head.GetParameters();
        float[] actualParameters = blocked.Head.GetParameters();
        double scale = expectedParameters.Max(v => Math.Abs(v));
        for (int i = 0; i < expectedParameters.Length; i++)
        {
            Assert.AreEqual(expectedParameters[i], actualParameters[i], 1e-4 * scale, $"parameter {i}");
        }
    }

    [TestMethod]
    public void BlockedPredictionEqualsTheLoopsBitForBit()
    {
        // The forward products sum in the loops' order with the same roundings, so scores agree exactly.
        (InMemoryFeatureStore store, _) = Synthetic(images: 1, seed: 9);
        FeatureMaps maps = store.Get(0);
        var options = new SegmentationHeadOptions { InputChannels = maps.TotalChannels, Classes = Classes, Architecture = HeadArchitecture.Mlp, HiddenChannels = 19, Seed = 5 };
        var blocked = new SegmentationHead(options);
        var loops = new SegmentationHead(options, LoopHeadMatrixKernels.Instance);
        var expected = new float[Classes * maps.ImageHeight * maps.ImageWidth];
        var actual = new float[expected.Length];
        loops.Predict(maps, expected);
        blocked.Predict(maps, actual);
        CollectionAssert.AreEqual(expected, actual);
    }

    /// <summary>
    /// 88x72 images: a stride-4 map of 37 channels (22x18 = 396 pixels, one full tile of 256 and a partial one) and a
    /// stride-8 map of 11; labels are the argmax of a fixed random linear function of the fine features, so the head can learn them.
    /// </summary>
    private static (InMemoryFeatureStore Store, int[][] Labels) Synthetic(int images, int seed)
    {
        const int height = 88, width = 72, fine = 37, coarse = 11;
        var random = new Random(seed);
        float Next() => (float)((random.NextDouble() * 2) - 1);
        float[] projection = Enumerable.Range(0, Classes * fine).Select(_ => Next()).ToArray();
        var maps = new List<FeatureMaps>();
        var labels = new int[images][];
        for (int n = 0; n < images; n++)
        {
            int h4 = height / 4, w4 = width / 4;
            float[] x = Enumerable.Range(0, fine * h4 * w4).Select(_ => Next()).ToArray();
            float[] y = Enumerable.Range(0, coarse * (height / 8) * (width / 8)).Select(_ => Next()).ToArray();
            maps.Add(new FeatureMaps(height, width, [new FeatureMap(fine, h4, w4, 4, x), new FeatureMap(coarse, height / 8, width / 8, 8, y)]));
            labels[n] = new int[height * width];
            for (int py = 0; py < height; py++)
            {
                for (int px = 0; px < width; px++)
                {
                    int cell = ((py / 4) * w4) + (px / 4);
                    int best = 0;
                    double bestScore = double.NegativeInfinity;
                    for (int k = 0; k < Classes; k++)
                    {
                        double score = 0;
                        for (int c = 0; c < fine; c++)
                        {
                            score += projection[(k * fine) + c] * x[(c * h4 * w4) + cell];
                        }

                        if (score > bestScore)
                        {
                            bestScore = score;
                            best = k;
                        }
                    }

                    labels[n][(py * width) + px] = best;
                }
            }
        }

        return (new InMemoryFeatureStore(maps), labels);
    }
}
