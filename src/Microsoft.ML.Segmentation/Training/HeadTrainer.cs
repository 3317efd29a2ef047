using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>Trains a <see cref="SegmentationHead"/> on frozen backbone features.</summary>
/// <remarks>
/// Deterministic: the seed fixes the initialisation, the validation split, the shuffling and the flips; the loop is
/// single-threaded and its sums run in a fixed order (the library's losses and the head's blocked matrix products may
/// spread work over threads, but each work item writes its own outputs, so their results do not depend on scheduling). Equal seeds give bit-identical parameters.
/// <para>Thread safety: stateless, but a run mutates the head and optimizer it is given: concurrent runs need their own
/// heads, optimizers and feature stores.</para>
/// </remarks>
public static class HeadTrainer
{
    /// <summary>Trains a head.</summary>
    /// <param name="features">Features by image index.</param>
    /// <param name="labels">A label map per image, <c>ImageHeight · ImageWidth</c> values of its <see cref="FeatureMaps"/>.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Checked before every image.</param>
    /// <returns>The head with the best epoch's parameters and the history.</returns>
    /// <exception cref="ArgumentException">Counts, sizes or options do not fit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static HeadTrainingResult Train(
        IFeatureStore features, IReadOnlyList<int[]> labels, HeadTrainingOptions? options = null, CancellationToken cancellationToken = default)
        => TrainWithKernels(features, labels, options, null, cancellationToken);

    /// <summary>Trains a head whose products run on <paramref name="kernels"/> (null: the blocked ones); the benchmark's entry.</summary>
    internal static HeadTrainingResult TrainWithKernels(
        IFeatureStore features, IReadOnlyList<int[]> labels, HeadTrainingOptions? options, HeadMatrixKernels? kernels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new HeadTrainingOptions();
        Validate(features, labels, options);

        int count = features.Count;
        int[] order = Enumerable.Range(0, count).ToArray();
        Shuffle(order, new Random(options.Seed));
        int validationCount = ValidationCount(count, options.ValidationFraction);
        int[] validation = order[..validationCount];
        int[] training = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(training);

        int classes = options.Classes ?? InferClasses(labels, training, options.IgnoreIndex);
        double[]? weights = ClassWeightsFor(options, labels, training, classes);
        ISegmentationLoss loss = options.Loss ?? new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = weights });

        var head = new SegmentationHead(new SegmentationHeadOptions
        {
            InputChannels = features.Get(training[0]).TotalChannels,
            Classes = classes,
            Architecture = options.Architecture,
            HiddenChannels = options.HiddenChannels,
            Seed = options.Seed,
        }, kernels);
        HeadOptimizer optimizer = HeadOptimizer.Create(options.Optimizer, head.ParameterCount);
        var decay = new bool[head.ParameterCount];
        for (int i = 0; i < decay.Length; i++)
        {
            decay[i] = !head.IsBias(i);
        }

        var gradient = new float[head.ParameterCount];
        float[] best = head.GetParameters();
        var validator = new Validator(head, classes, options.IgnoreIndex);
        // Separate streams so that turning flips on or off leaves the shuffling unchanged.
        var shuffleRandom = new Random(unchecked((options.Seed * 31) + 17));
        var flipRandom = new Random(unchecked((options.Seed * 31) + 29));
        int stepsPerEpoch = (training.Length + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = stepsPerEpoch * options.Epochs;
        int step = 0;
        var history = new List<HeadEpochReport>();
        double bestIou = double.NegativeInfinity;
        int bestEpoch = 0;
        bool stoppedEarly = false;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            Shuffle(training, shuffleRandom);
            double lossSum = 0;
            double rate = 0;
            for (int b = 0; b < training.Length; b += options.BatchSize)
            {
                int batch = Math.Min(options.BatchSize, training.Length - b);
                Array.Clear(gradient);
                for (int i = 0; i < batch; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int index = training[b + i];
                    bool flip = options.HorizontalFlip && flipRandom.NextDouble() < 0.5;
                    lossSum += head.AccumulateGradient(features.Get(index), labels[index], options.IgnoreIndex, loss, gradient, 1.0 / batch, flip);
                }

                rate = options.Schedule.Rate(options.LearningRate, step, totalSteps, stepsPerEpoch);
                optimizer.Step(head.ParameterSpan, gradient, decay, rate);
                step++;
            }

            double iou = validation.Length > 0 ? validator.MeanIou(features, labels, validation, cancellationToken) : double.NaN;
            bool isBest = validation.Length == 0 || iou > bestIou;
            if (isBest)
            {
                bestIou = iou;
                bestEpoch = epoch;
                head.ParameterSpan.CopyTo(best);
            }

            var report = new HeadEpochReport(epoch, lossSum / training.Length, iou, rate, Stopwatch.GetElapsedTime(start), isBest);
            history.Add(report);
            options.Progress?.Invoke(report);
            if (validation.Length > 0 && options.EarlyStoppingPatience > 0 && epoch - bestEpoch >= options.EarlyStoppingPatience && epoch < options.Epochs)
            {
                stoppedEarly = true;
                break;
            }
        }

        head.SetParameters(best);
        return new HeadTrainingResult(head, history, bestEpoch, stoppedEarly, weights);
    }

    private static void Validate(IFeatureStore features, IReadOnlyList<int[]> labels, HeadTrainingOptions options)
    {
        if (labels.Count != features.Count)
        {
            throw new ArgumentException($"There are {labels.Count} label maps for {features.Count} feature sets.", nameof(labels));
        }

        if (features.Count == 0)
        {
            throw new ArgumentException("The feature store is empty.", nameof(features));
        }

        if (options.Epochs < 1 || options.BatchSize < 1)
        {
            throw new ArgumentException($"Epochs ({options.Epochs}) and BatchSize ({options.BatchSize}) must be 1 or more.", nameof(options));
        }

        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
        {
            throw new ArgumentException($"ValidationFraction ({options.ValidationFraction}) must lie in [0, 1).", nameof(options));
        }

        if (!(options.LearningRate >= 0) || options.EarlyStoppingPatience < 0)
        {
            throw new ArgumentException("LearningRate and EarlyStoppingPatience must be 0 or more.", nameof(options));
        }

        if (options.Classes is int k && k < 2)
        {
            throw new ArgumentException($"Classes ({k}) must be 2 or more; a binary task has two classes.", nameof(options));
        }

        if (options.Loss is not null && options.ClassWeighting != ClassWeighting.None)
        {
            throw new ArgumentException("ClassWeighting applies to the default cross-entropy only; set class weights in the given loss's own options.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Optimizer, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Schedule, nameof(options));
    }

    private static int ValidationCount(int count, double fraction)
    {
        if (fraction == 0 || count < 2)
        {
            return 0;
        }

        return Math.Clamp((int)Math.Round(count * fraction), 1, count - 1);
    }

    private static int InferClasses(IReadOnlyList<int[]> labels, int[] training, int? ignoreIndex)
    {
        int max = 1;
        int ignore = ignoreIndex ?? int.MinValue;
        foreach (int i in training)
        {
            foreach (int label in labels[i])
            {
                if (label != ignore && label > max)
                {
                    max = label;
                }
            }
        }

        return max + 1;
    }

    private static double[]? ClassWeightsFor(HeadTrainingOptions options, IReadOnlyList<int[]> labels, int[] training, int classes)
    {
        switch (options.ClassWeighting)
        {
            case ClassWeighting.None:
                return null;
            case ClassWeighting.Given:
                if (options.ClassWeights is null || options.ClassWeights.Count != classes)
                {
                    throw new ArgumentException($"ClassWeighting.Given needs ClassWeights with {classes} values.", nameof(options));
                }

                return options.ClassWeights.ToArray();
            default:
                return ClassFrequencyWeights.Compute(training.Select(i => labels[i]).ToArray(), classes, options.IgnoreIndex, options.ClassWeighting);
        }
    }

    private static void Shuffle(int[] values, Random random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Mean IoU of the head on held-out images, with buffers reused across epochs.</summary>
    private sealed class Validator(SegmentationHead head, int classes, int? ignoreIndex)
    {
        private readonly ConfusionMatrix _matrix = new(classes, ignoreIndex);
        private float[] _scores = [];
        private int[] _predicted = [];

        public double MeanIou(IFeatureStore features, IReadOnlyList<int[]> labels, int[] images, CancellationToken cancellationToken)
        {
            _matrix.Reset();
            foreach (int index in images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                FeatureMaps maps = features.Get(index);
                var shape = new SegmentationShape(1, classes, maps.ImageHeight, maps.ImageWidth);
                if (_scores.Length < shape.ElementCount)
                {
                    _scores = new float[shape.ElementCount];
                    _predicted = new int[shape.PixelCount];
                }

                Span<float> scores = _scores.AsSpan(0, shape.ElementCount);
                Span<int> predicted = _predicted.AsSpan(0, shape.PixelCount);
                head.Predict(maps, scores);
                MaskPrediction.Argmax<float>(scores, shape, predicted);
                _matrix.Add(predicted, labels[index]);
            }

            return MeanIou(_matrix, classes);
        }

        // Classes absent from both truth and prediction have no IoU and are left out of the mean.
        private static double MeanIou(ConfusionMatrix matrix, int classes)
        {
            double sum = 0;
            int present = 0;
            for (int c = 0; c < classes; c++)
            {
                long tp = matrix[c, c];
                long truth = 0;
                long predicted = 0;
                for (int o = 0; o < classes; o++)
                {
                    truth += matrix[c, o];
                    predicted += matrix[o, c];
                }

                long union = truth + predicted - tp;
                if (union > 0)
                {
                    sum += (double)tp / union;
                    present++;
                }
            }

            return present == 0 ? double.NaN : sum / present;
        }
    }
}
