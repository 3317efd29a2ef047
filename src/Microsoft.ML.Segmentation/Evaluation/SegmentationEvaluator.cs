using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Accumulates predicted and ground-truth label maps image by image, in one pass over a dataset, and turns them into
/// <see cref="SegmentationMetrics"/>. Keeps the dataset confusion matrix (C² longs) and four counts per class per image
/// (for image-wise reductions); never the masks themselves.
/// </summary>
/// <remarks>
/// <para>Thread safety: not thread-safe: give each worker its own evaluator and <see cref="Merge"/> them. Across
/// processes, save each one's <see cref="GetState"/> as JSON and merge the states (<see cref="SegmentationEvaluationState"/>).</para>
/// <para>Memory: besides the C² confusion matrix, it keeps four counts per class per image (32·C bytes plus about 50
/// bytes of object overhead per image) for the image-wise reductions: 2,000 images of 21 classes hold about 1.4 MB;
/// with boundary metrics, four more doubles per class per image.</para>
/// </remarks>
public sealed class SegmentationEvaluator
{
    private readonly SegmentationEvaluatorOptions _options;
    private readonly string[] _classNames;
    private readonly ConfusionMatrix _total;
    private readonly ConfusionMatrix _image;
    private readonly List<ConfusionCounts> _imageCounts = new();
    private readonly BoundaryAccumulator? _boundary;
    private readonly CalibrationAccumulator? _topLabel;
    private readonly CalibrationAccumulator? _classWise;
    private readonly List<SkippedImage> _skipped = new();
    private int[] _calibrationLabels = Array.Empty<int>();

    /// <summary>Creates an evaluator for <paramref name="numClasses"/> classes.</summary>
    /// <param name="numClasses">Number of classes C; at least 1.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The class names do not number C, the reduction does not give one value, or a
    /// <see cref="SegmentationEvaluatorOptions.BoundaryMetrics"/> setting is out of range (the parameter name says which,
    /// e.g. <c>options.BoundaryMetrics.Spacing</c>: two positive finite values for 2-D images).</exception>
    public SegmentationEvaluator(int numClasses, SegmentationEvaluatorOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        _options = options ?? new SegmentationEvaluatorOptions();
        if (_options.ClassNames is { } names && names.Count != numClasses)
        {
            throw new ArgumentException($"{names.Count} class names were given for {numClasses} classes.", "options.ClassNames");
        }

        if (_options.Reduction is MetricReduction.None or MetricReduction.PerClass or MetricReduction.PerClassImagewise or MetricReduction.PerImage)
        {
            throw new ArgumentException($"Reduction {_options.Reduction} gives several values; choose Macro, Micro, Weighted or an image-wise mean.", "options.Reduction");
        }

        _classNames = _options.ClassNames?.ToArray() ?? Enumerable.Range(0, numClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        _total = new ConfusionMatrix(numClasses, _options.IgnoreIndex);
        _image = new ConfusionMatrix(numClasses, _options.IgnoreIndex);
        _boundary = _options.BoundaryMetrics is { } boundary ? new BoundaryAccumulator(numClasses, boundary) : null;
        if (_options.Calibration is { } calibration)
        {
            calibration.Validate("options.Calibration");
            CalibrationBinning binning = calibration.Binning();
            _topLabel = new CalibrationAccumulator(binning, 1);
            _classWise = new CalibrationAccumulator(binning, numClasses);
        }
    }

    /// <summary>Number of classes C.</summary>
    public int NumClasses => _total.NumClasses;

    /// <summary>Number of images added.</summary>
    public int ImageCount => _imageCounts.Count;

    /// <summary>The rows recorded by <see cref="Skip"/>, in order.</summary>
    public IReadOnlyList<SkippedImage> SkippedImages => _skipped;

    /// <summary>Records a row left out of the metrics, so that the metrics list it rather than drop it silently.</summary>
    /// <param name="image">The row and the reason.</param>
    public void Skip(SkippedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        _skipped.Add(image);
    }

    /// <summary>Adds one image.</summary>
    /// <param name="predicted">Predicted class per pixel, in 0..C−1.</param>
    /// <param name="truth">Ground-truth class per pixel, in 0..C−1 or the ignore index.</param>
    /// <exception cref="ArgumentException">The lengths differ or a label is out of range.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth)
    {
        if (_boundary is not null)
        {
            throw new InvalidOperationException("Boundary metrics need each image's size: call Add(predicted, truth, height, width).");
        }

        AddCounts(predicted, truth);
    }

    /// <summary>Adds one image of <paramref name="height"/> × <paramref name="width"/> pixels (row-major); needed for boundary metrics.</summary>
    /// <param name="predicted">Predicted class per pixel, in 0..C−1.</param>
    /// <param name="truth">Ground-truth class per pixel, in 0..C−1 or the ignore index (ignored pixels are background for boundaries).</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <exception cref="ArgumentException">The lengths differ from height × width, or a label is out of range.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int height, int width)
    {
        if ((long)height * width != predicted.Length)
        {
            throw new ArgumentException($"The prediction holds {predicted.Length} pixels but height × width is {(long)height * width}.", nameof(height));
        }

        AddCounts(predicted, truth);
        _boundary?.Add(predicted, truth, height, width);
    }

    /// <summary>
    /// Adds one image's class probabilities to the calibration bins (<see cref="SegmentationEvaluatorOptions.Calibration"/>);
    /// call it beside <c>Add</c> for each image. Pixels whose truth is the ignore index or outside 0..C−1 are skipped.
    /// </summary>
    /// <param name="probabilities">C probabilities per pixel, channel-major: class c of pixel i at [c·P + i].</param>
    /// <param name="truth">Ground-truth class per pixel (P pixels).</param>
    /// <exception cref="InvalidOperationException">Calibration is off.</exception>
    /// <exception cref="ArgumentException">The lengths are not C channels of P pixels, or a probability is NaN.</exception>
    public void AddProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> truth)
    {
        if (_topLabel is null || _classWise is null)
        {
            throw new InvalidOperationException("Calibration is off: set SegmentationEvaluatorOptions.Calibration to add probabilities.");
        }

        if ((long)truth.Length * NumClasses != probabilities.Length)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities are not {NumClasses} channels of {truth.Length} pixels.", nameof(probabilities));
        }

        if (_calibrationLabels.Length != truth.Length)
        {
            _calibrationLabels = new int[truth.Length];
        }

        // The ignore index may lie inside 0..C−1: mark ignored pixels −1, which both accumulators skip.
        Span<int> labels = _calibrationLabels;
        for (int i = 0; i < truth.Length; i++)
        {
            labels[i] = truth[i] == _options.IgnoreIndex ? -1 : truth[i];
        }

        _topLabel.AddTopLabel(probabilities, labels);
        _classWise.AddClassWise(probabilities, labels);
    }

    private void AddCounts(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth)
    {
        _image.Reset();
        _image.Add(predicted, truth);
        _total.Merge(_image);
        _imageCounts.Add(_image.ToCounts());
    }

    /// <summary>Adds everything another evaluator has seen (for example a parallel worker's).</summary>
    /// <param name="other">An evaluator with the same class count and ignore index.</param>
    /// <exception cref="ArgumentException">The evaluators do not match.</exception>
    public void Merge(SegmentationEvaluator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.NumClasses != NumClasses || other._options.IgnoreIndex != _options.IgnoreIndex)
        {
            throw new ArgumentException($"Cannot merge an evaluator of {other.NumClasses} classes (ignore {other._options.IgnoreIndex?.ToString() ?? "none"}) into one of {NumClasses} (ignore {_options.IgnoreIndex?.ToString() ?? "none"}).", nameof(other));
        }

        if ((other._boundary is null) != (_boundary is null))
        {
            throw new ArgumentException("Cannot merge an evaluator with boundary metrics and one without.", nameof(other));
        }

        if (_boundary is not null && BoundaryMetricOptions.FirstDifference(_boundary.Settings, other._boundary!.Settings) is { } difference)
        {
            throw new ArgumentException($"Cannot merge evaluators whose boundary metrics differ: the other has BoundaryMetrics.{difference.Name} {difference.B} but this one {difference.A}.", nameof(other));
        }

        if ((other._topLabel is null) != (_topLabel is null)
            || (_topLabel is not null && (_options.Calibration!.Bins != other._options.Calibration!.Bins || _options.Calibration.Reduction != other._options.Calibration.Reduction)))
        {
            throw new ArgumentException("Cannot merge evaluators whose calibration settings differ (on/off, bins or reduction).", nameof(other));
        }

        _total.Merge(other._total);
        _imageCounts.AddRange(other._imageCounts);
        _skipped.AddRange(other._skipped);
        _boundary?.Merge(other._boundary!);
        _topLabel?.Merge(other._topLabel!);
        _classWise?.Merge(other._classWise!);
    }

    /// <summary>
    /// Everything added so far as a <see cref="SegmentationEvaluationState"/>, to save as JSON and merge with the states
    /// of other shards (<see cref="SegmentationEvaluationState.Merge(SegmentationEvaluationState[])"/>).
    /// </summary>
    /// <param name="shard">The shard of the dataset these images are, or <see langword="null"/> for all of it.</param>
    /// <returns>A snapshot; later <c>Add</c> calls do not change it.</returns>
    public SegmentationEvaluationState GetState(EvaluationShard? shard = null) => new(
        (string[])_classNames.Clone(),
        _options,
        shard,
        _total.ToArray(),
        _imageCounts.ToArray(),
        _boundary?.Images.Select(v => (double[])v.Clone()).ToArray(),
        _skipped.ToArray(),
        CalibrationBins());

    /// <summary>The exact calibration sums as the state keeps them: the top-label bins, then each class's; null when off.</summary>
    private CalibrationSums[]? CalibrationBins()
    {
        if (_topLabel is null || _classWise is null)
        {
            return null;
        }

        var result = new CalibrationSums[NumClasses + 1];
        result[0] = _topLabel.ExactSums(0);
        for (int c = 0; c < NumClasses; c++)
        {
            result[c + 1] = _classWise.ExactSums(c);
        }

        return result;
    }

    /// <summary>An evaluator holding everything in <paramref name="state"/>, with its options; more images can be added to it.</summary>
    /// <param name="state">A state from <see cref="GetState"/>, JSON or a merge.</param>
    /// <returns>A new evaluator.</returns>
    public static SegmentationEvaluator FromState(SegmentationEvaluationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var evaluator = new SegmentationEvaluator(state.NumClasses, state.ToOptions());
        evaluator._total.AddCounts(state.Confusion, state.ImageCount);
        evaluator._imageCounts.AddRange(state.ImageCounts);
        evaluator._skipped.AddRange(state.SkippedImages);
        if (state.ImageBoundary is { } boundary)
        {
            foreach (double[] values in boundary)
            {
                evaluator._boundary!.AddImage(values);
            }
        }

        if (state.CalibrationBins is { } bins && evaluator._topLabel is not null)
        {
            evaluator._topLabel.AddExact(0, bins[0]);
            for (int c = 0; c < evaluator.NumClasses; c++)
            {
                evaluator._classWise!.AddExact(c, bins[c + 1]);
            }
        }

        return evaluator;
    }

    /// <summary>The metrics of everything added so far.</summary>
    /// <returns>An immutable snapshot.</returns>
    /// <exception cref="InvalidOperationException">No image was added.</exception>
    public SegmentationMetrics GetMetrics()
    {
        if (_imageCounts.Count == 0)
        {
            throw new InvalidOperationException(_skipped.Count == 0
                ? "No image was added; call Add for each image before GetMetrics."
                : $"No image could be evaluated: all {_skipped.Count} were skipped; the first because {_skipped[0].Reason}");
        }

        ConfusionCounts counts = _total.ToCounts();
        var perClass = Options(MetricReduction.PerClass);
        var reduced = Options(_options.Reduction);
        double Mean(ConfusionMetric metric) => ConfusionMetrics.Compute(metric, _imageCounts, reduced)[0];
        long[] matrix = _total.ToArray();
        return new SegmentationMetrics(
            _classNames,
            _imageCounts.Count,
            _total.Total,
            ConfusionMetrics.PixelAccuracy(counts),
            ConfusionMetrics.MeanClassAccuracy(counts),
            Mean(ConfusionMetric.Iou),
            Mean(ConfusionMetric.Dice),
            ConfusionMetrics.FrequencyWeightedIou(counts),
            ConfusionMetrics.Compute(ConfusionMetric.Iou, counts, perClass),
            ConfusionMetrics.Compute(ConfusionMetric.Dice, counts, perClass),
            ConfusionMetrics.Compute(ConfusionMetric.Precision, counts, perClass),
            ConfusionMetrics.Compute(ConfusionMetric.Recall, counts, perClass),
            Enumerable.Range(0, NumClasses).Select(k => counts[k].Support).ToArray(),
            matrix,
            _boundary is null ? null : new BoundaryResults(_boundary.Settings.Percentile, _boundary.Settings.SurfaceTolerance, _boundary.Settings.Symmetric, _boundary.Means(0), _boundary.Means(1), _boundary.Means(2), _boundary.Means(3)),
            _skipped.ToArray(),
            CalibrationResults());
    }

    private CalibrationResults? CalibrationResults()
    {
        if (_topLabel is null || _classWise is null)
        {
            return null;
        }

        CalibrationOptions settings = _options.Calibration!;
        double[] perClass = Enumerable.Range(0, NumClasses).Select(c => _classWise.Error(c, settings.Reduction)).ToArray();
        return new CalibrationResults(settings.Bins, settings.Reduction, _topLabel.Bins(0), perClass);
    }

    private MetricOptions Options(MetricReduction reduction) => new()
    {
        Reduction = reduction,
        AbsentClass = _options.AbsentClass,
        Absence = _options.Absence,
    };
}
