using System.Diagnostics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Training;

namespace LossComparison;

/// <summary>Trains the same linear head on the same frozen ResNet-18 features with each loss and scores it on held-out scenes.</summary>
public static class LossComparisonRunner
{
    /// <summary>
    /// The losses compared, each made fresh for a run's settings; null means the trainer's default cross-entropy (with or
    /// without class weights). The newer losses use their peers' defaults except where the note says why not.
    /// </summary>
    public static IReadOnlyList<(string Label, Func<ComparisonSettings, ISegmentationLoss?> Loss, ClassWeighting Weighting)> Losses { get; } =
    [
        ("CE", _ => null, ClassWeighting.None),
        ("CE, inverse-sqrt weights", _ => null, ClassWeighting.InverseSqrt),
        ("CE, median-frequency weights", _ => null, ClassWeighting.MedianFrequency),
        ("Dice", _ => new DiceLoss(), ClassWeighting.None),
        ("Focal (softmax, γ=2)", _ => new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax, Gamma = 2 }), ClassWeighting.None),
        ("Tversky (α=0.3, β=0.7)", _ => new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7 }), ClassWeighting.None),
        ("Lovász-Softmax", _ => new LovaszSoftmaxLoss(), ClassWeighting.None),
        ("CE + Dice (1:1)", _ => new CombinedLoss((new CrossEntropyLoss(), 1.0), (new DiceLoss(), 1.0)), ClassWeighting.None),
        // Kervadec et al.: never alone; a region loss plus α·boundary with α = 0.01, raised by 0.01 per epoch.
        ("Dice + α·boundary (α 0.01/epoch)", _ => new RampedLoss(new DiceLoss(), new BoundaryLoss(), start: 0.01, step: 0.01), ClassWeighting.None),
        // mmseg's threshold 0.7; its min_kept 100000 is sized for batches of 512×1024 crops (about 10 % of their pixels).
        // The trainer computes the loss one image at a time, and a 128² image has 16384 pixels, so 100000 would keep
        // every pixel (plain CE); 10 % of the image keeps mmseg's proportion.
        ("OHEM CE (thresh 0.7, min_kept 10 %)", s => new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { MinKept = s.Size * s.Size / 10 }), ClassWeighting.None),
        // MONAI's SoftclDiceLoss/SoftDiceclDiceLoss defaults (iter_ 3, smooth 1; alpha 0.5); MONAI takes probabilities,
        // so the softmax of the head's logits is applied first, as a MONAI user would.
        ("clDice (iter 3, smooth 1)", _ => new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Softmax }), ClassWeighting.None),
        ("Dice + clDice (α=0.5)", _ => new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Softmax, Alpha = 0.5 }), ClassWeighting.None),
        // Background at distance 1 from every object class, object classes 0.5 from each other: the pattern of Fidon et al.'s
        // BraTS matrix (background farthest from every tumour class), since mistaking an object for background costs most.
        ("Gen. Wasserstein Dice (bg 1, fg 0.5)", _ => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = WassersteinDistances }), ClassWeighting.None),
        // MONAI's AsymmetricUnifiedFocalLoss is binary; one-vs-rest over the three object classes, MONAI defaults.
        ("Unified focal (one-vs-rest, MONAI defaults)", _ => new OneVsRestLoss(new AsymmetricUnifiedFocalLoss()), ClassWeighting.None),
    ];

    /// <summary>The class distances of the Wasserstein Dice row, in <see cref="SyntheticScenes.ClassNames"/> order.</summary>
    public static IReadOnlyList<IReadOnlyList<double>> WassersteinDistances { get; } =
    [
        [0, 1, 1, 1],
        [1, 0, 0.5, 0.5],
        [1, 0.5, 0, 0.5],
        [1, 0.5, 0.5, 0],
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
        foreach ((string label, Func<ComparisonSettings, ISegmentationLoss?> makeLoss, ClassWeighting weighting) in Losses)
        {
            ISegmentationLoss? loss = makeLoss(settings);
            RampedLoss? ramped = loss as RampedLoss;
            ramped?.BeginEpoch(1);
            HeadTrainingOptions options = settings.HeadOptions(classes);
            options.Loss = loss;
            options.ClassWeighting = weighting;
            options.Progress = ramped is null ? null : report => ramped.BeginEpoch(report.Epoch + 1);
            start = Stopwatch.GetTimestamp();
            HeadTrainingResult result = HeadTrainer.Train(train, trainLabels, options);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            LossRun run = Evaluate(label, result, test, testLabels, classes, seconds);
            log.WriteLine($"{label}: mIoU {run.MeanIou:F4}, rare IoU {run.RareIou:F4}, {seconds:F1} s");
            runs.Add(run);
        }

        return new ComparisonResult(settings, SyntheticScenes.ClassNames, SyntheticScenes.Fractions(trainLabels), SyntheticScenes.Fractions(testLabels),
            extraction, runs);
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

        return new LossRun(label, iou.Average(), iou[SyntheticScenes.Rare], iou, ConfusionMetrics.PixelAccuracy(counts), seconds, result.BestEpoch, rarePredicted,
            result.ClassWeights);
    }
}
