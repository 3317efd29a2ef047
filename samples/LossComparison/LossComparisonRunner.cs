using System.Diagnostics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Training;

namespace LossComparison;

/// <summary>Trains the same linear head on the same frozen ResNet-18 features with each loss and scores it on held-out scenes.</summary>
public static class LossComparisonRunner
{
    /// <summary>The losses compared; null means the trainer's default cross-entropy (with or without class weights).</summary>
    public static IReadOnlyList<(string Label, Func<ISegmentationLoss?> Loss, ClassWeighting Weighting)> Losses { get; } =
    [
        ("CE", () => null, ClassWeighting.None),
        ("CE, inverse-sqrt weights", () => null, ClassWeighting.InverseSqrt),
        ("Dice", () => new DiceLoss(), ClassWeighting.None),
        ("Focal (softmax, γ=2)", () => new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax, Gamma = 2 }), ClassWeighting.None),
        ("Tversky (α=0.3, β=0.7)", () => new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7 }), ClassWeighting.None),
        ("Lovász-Softmax", () => new LovaszSoftmaxLoss(), ClassWeighting.None),
        ("CE + Dice (1:1)", () => new CombinedLoss((new CrossEntropyLoss(), 1.0), (new DiceLoss(), 1.0)), ClassWeighting.None),
    ];

    /// <summary>Generates the scenes, extracts features once, trains one head per loss and evaluates it.</summary>
    /// <param name="resnet18OnnxPath">ML.NET's <c>ResNet18.onnx</c>.</param>
    /// <param name="settings">Sizes, budget and seed.</param>
    /// <param name="log">Progress lines.</param>
    public static ComparisonResult Run(string resnet18OnnxPath, ComparisonSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        int classes = SyntheticScenes.ClassNames.Count;
        (List<float[]> trainImages, List<int[]> trainLabels) = SyntheticScenes.Generate(settings.TrainImages, settings.Size, settings.Seed);
        (List<float[]> testImages, List<int[]> testLabels) = SyntheticScenes.Generate(settings.TestImages, settings.Size, settings.Seed, SyntheticScenes.TestIndexOffset);

        long start = Stopwatch.GetTimestamp();
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(resnet18OnnxPath);
        using FeatureCache train = FeatureCache.Create(backbone, trainImages.Select(i => (i, settings.Size, settings.Size)));
        using FeatureCache test = FeatureCache.Create(backbone, testImages.Select(i => (i, settings.Size, settings.Size)));
        double extraction = Stopwatch.GetElapsedTime(start).TotalSeconds;
        log.WriteLine($"Features: {train.Count} + {test.Count} images, {train.Get(0).TotalChannels} channels at strides {string.Join("/", train.Get(0).Maps.Select(m => m.Stride))}, {extraction:F1} s");

        var runs = new List<LossRun>();
        IReadOnlyList<double> weights = [];
        foreach ((string label, Func<ISegmentationLoss?> makeLoss, ClassWeighting weighting) in Losses)
        {
            var options = new HeadTrainingOptions
            {
                Classes = classes,
                Loss = makeLoss(),
                ClassWeighting = weighting,
                Architecture = HeadArchitecture.Linear,
                Epochs = settings.Epochs,
                BatchSize = settings.BatchSize,
                LearningRate = settings.LearningRate,
                ValidationFraction = settings.ValidationFraction,
                // A fixed budget: every loss runs all epochs; each keeps its best-validation epoch by the same rule.
                EarlyStoppingPatience = 0,
                Seed = settings.Seed,
            };
            start = Stopwatch.GetTimestamp();
            HeadTrainingResult result = HeadTrainer.Train(train, trainLabels, options);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (result.ClassWeights is { } used)
            {
                weights = used;
            }

            LossRun run = Evaluate(label, result, test, testLabels, classes, seconds);
            log.WriteLine($"{label}: mIoU {run.MeanIou:F4}, rare IoU {run.RareIou:F4}, {seconds:F1} s");
            runs.Add(run);
        }

        return new ComparisonResult(settings, SyntheticScenes.ClassNames, SyntheticScenes.Fractions(trainLabels), SyntheticScenes.Fractions(testLabels),
            weights, extraction, runs);
    }

    private static LossRun Evaluate(string label, HeadTrainingResult result, IFeatureStore test, IReadOnlyList<int[]> labels, int classes, double seconds)
    {
        var matrix = new ConfusionMatrix(classes);
        float[] scores = [];
        int[] predicted = [];
        for (int i = 0; i < test.Count; i++)
        {
            FeatureMaps maps = test.Get(i);
            var shape = new SegmentationShape(1, classes, maps.ImageHeight, maps.ImageWidth);
            if (scores.Length != shape.ElementCount)
            {
                scores = new float[shape.ElementCount];
                predicted = new int[shape.PixelCount];
            }

            result.Head.Predict(maps, scores);
            MaskPrediction.Argmax<float>(scores, shape, predicted);
            matrix.Add(predicted, labels[i]);
        }

        ConfusionCounts counts = matrix.ToCounts();
        double[] iou = ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, new MetricOptions { Reduction = MetricReduction.PerClass });
        long rarePredicted = 0;
        for (int truth = 0; truth < classes; truth++)
        {
            rarePredicted += matrix[truth, SyntheticScenes.Rare];
        }

        return new LossRun(label, iou.Average(), iou[SyntheticScenes.Rare], iou, ConfusionMetrics.PixelAccuracy(counts), seconds, result.BestEpoch, rarePredicted);
    }
}
