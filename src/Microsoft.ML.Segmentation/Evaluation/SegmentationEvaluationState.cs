using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Everything a <see cref="SegmentationEvaluator"/> has accumulated, as plain data that saves to versioned JSON
/// (<see cref="ToJson"/>, <see cref="FromJson"/>) and merges (<see cref="Merge(SegmentationEvaluationState[])"/>): the
/// class names, the options that change results, the dataset confusion matrix, and one record per image (its
/// one-vs-rest counts and, with boundary metrics, its boundary values). Immutable.
/// </summary>
/// <remarks>
/// <para>Sharded evaluation: evaluate each shard of a dataset apart (each process its own evaluator), save each state,
/// then merge them; the merged <see cref="GetMetrics"/> equals a single run over the whole dataset exactly, every
/// reduction included, provided the shards are merged in dataset order. Image-wise means and boundary means sum doubles
/// image by image, so their last bits depend on the order: keeping per-image records (not running sums) and merging
/// sharded states by shard index, then image, reproduces the single run's order when each shard is a contiguous block
/// of the dataset (<see cref="EvaluationShard.Range"/>).</para>
/// <para>Counts are integers and merge exactly in any order.</para>
/// <para>Thread safety: immutable; safe to share across threads.</para>
/// </remarks>
public sealed partial class SegmentationEvaluationState
{
    /// <summary>The JSON format version this library writes (and the highest it reads).</summary>
    public const int CurrentVersion = 3;

    private readonly string[] _classNames;
    private readonly long[] _confusion;
    private readonly ConfusionCounts[] _imageCounts;
    private readonly double[][]? _imageBoundary;
    private readonly SkippedImage[] _skipped;
    private readonly BoundaryMetricOptions? _boundaryMetrics;
    private readonly CalibrationOptions? _calibration;
    private readonly CalibrationSums[]? _calibrationBins;

    internal SegmentationEvaluationState(
        string[] classNames,
        SegmentationEvaluatorOptions options,
        EvaluationShard? shard,
        long[] confusion,
        ConfusionCounts[] imageCounts,
        double[][]? imageBoundary,
        SkippedImage[]? skipped = null,
        CalibrationSums[]? calibrationBins = null)
    {
        _classNames = classNames;
        IgnoreIndex = options.IgnoreIndex;
        Reduction = options.Reduction;
        AbsentClass = options.AbsentClass;
        Absence = options.Absence;
        _boundaryMetrics = options.BoundaryMetrics?.Clone();
        _calibration = options.Calibration?.Clone();
        if ((_calibration is null) != (calibrationBins is null))
        {
            throw new ArgumentException("Calibration bins are given exactly when calibration is on.", nameof(calibrationBins));
        }

        _calibrationBins = calibrationBins;
        Shard = shard;
        _confusion = confusion;
        _imageCounts = imageCounts;
        _imageBoundary = imageBoundary;
        _skipped = skipped ?? [];
    }

    /// <summary>The class names, in class-index order.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of classes C.</summary>
    public int NumClasses => _classNames.Length;

    /// <summary>The ground-truth label that was skipped, or <see langword="null"/>.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>How mean IoU and mean Dice reduce (<see cref="SegmentationEvaluatorOptions.Reduction"/>).</summary>
    public MetricReduction Reduction { get; }

    /// <summary>The absent-class policy (<see cref="SegmentationEvaluatorOptions.AbsentClass"/>).</summary>
    public AbsentClassPolicy AbsentClass { get; }

    /// <summary>The absence criterion (<see cref="SegmentationEvaluatorOptions.Absence"/>).</summary>
    public AbsenceCriterion Absence { get; }

    /// <summary>
    /// The boundary-metric settings the images were evaluated with (<see cref="SegmentationEvaluatorOptions.BoundaryMetrics"/>),
    /// or <see langword="null"/> when boundary metrics were not computed. Each call returns a new copy, so the state stays immutable.
    /// </summary>
    public BoundaryMetricOptions? BoundaryMetrics => _boundaryMetrics?.Clone();

    /// <summary>
    /// The calibration settings (<see cref="SegmentationEvaluatorOptions.Calibration"/>), or <see langword="null"/> when
    /// calibration was off. Each call returns a new copy.
    /// </summary>
    public CalibrationOptions? Calibration => _calibration?.Clone();

    /// <summary>The exact calibration sums: the top-label bins, then each class's; null when calibration is off.</summary>
    internal IReadOnlyList<CalibrationSums>? CalibrationBins => _calibrationBins;

    /// <summary>The shard this state holds, or <see langword="null"/> for a whole (or merged) evaluation.</summary>
    public EvaluationShard? Shard { get; }

    /// <summary>Number of images evaluated.</summary>
    public int ImageCount => _imageCounts.Length;

    /// <summary>Number of pixels counted (ignored pixels excluded).</summary>
    public long PixelCount => _confusion.Sum();

    internal long[] Confusion => _confusion;

    internal IReadOnlyList<ConfusionCounts> ImageCounts => _imageCounts;

    internal IReadOnlyList<double[]>? ImageBoundary => _imageBoundary;

    /// <summary>The rows skipped under <see cref="BadRowPolicy.SkipAndRecord"/>, carried so that a merge lists them too.</summary>
    public IReadOnlyList<SkippedImage> SkippedImages => _skipped;

    /// <summary>The same state labelled as shard <paramref name="shard"/> (or unlabelled, with <see langword="null"/>).</summary>
    /// <param name="shard">The shard.</param>
    /// <returns>A new state sharing this one's data.</returns>
    public SegmentationEvaluationState WithShard(EvaluationShard? shard)
        => new(_classNames, ToOptions(), shard, _confusion, _imageCounts, _imageBoundary, _skipped, _calibrationBins);

    /// <summary>The evaluator options this state was accumulated with.</summary>
    /// <returns>A new options object.</returns>
    public SegmentationEvaluatorOptions ToOptions() => new()
    {
        ClassNames = _classNames,
        IgnoreIndex = IgnoreIndex,
        Reduction = Reduction,
        AbsentClass = AbsentClass,
        Absence = Absence,
        BoundaryMetrics = _boundaryMetrics?.Clone(),
        Calibration = _calibration?.Clone(),
    };

    /// <summary>The metrics of the images in this state: what <see cref="SegmentationEvaluator.GetMetrics"/> gave (or would give) for them.</summary>
    /// <returns>An immutable snapshot.</returns>
    /// <exception cref="InvalidOperationException">The state holds no image.</exception>
    public SegmentationMetrics GetMetrics() => SegmentationEvaluator.FromState(this).GetMetrics();

    /// <summary>Merges states of one evaluation split into shards; see <see cref="Merge(IReadOnlyList{SegmentationEvaluationState}, bool)"/>. Every shard must be present.</summary>
    /// <param name="states">The states; at least one.</param>
    /// <returns>The merged state.</returns>
    /// <exception cref="ArgumentException">The states are incompatible, or shards are missing or given twice.</exception>
    public static SegmentationEvaluationState Merge(params SegmentationEvaluationState[] states) => Merge(states, allowIncomplete: false);

    /// <summary>
    /// Merges states into one, as if one evaluator had seen all their images. States labelled with a shard are ordered
    /// by shard index (whatever order they are given in); unlabelled states keep the given order. The result is
    /// unlabelled.
    /// </summary>
    /// <param name="states">The states; at least one. All must have the same classes and result-affecting options, and
    /// either all carry a shard of the same count or none does.</param>
    /// <param name="allowIncomplete">Whether missing shards are allowed (the metrics then cover only the shards given;
    /// find them with <see cref="MissingShards"/>). A shard given twice is always an error: it would count its images twice.</param>
    /// <returns>The merged state.</returns>
    /// <exception cref="ArgumentException">No state is given, the states are incompatible (the message names the
    /// difference), a shard is given twice, or a shard is missing and <paramref name="allowIncomplete"/> is false.</exception>
    public static SegmentationEvaluationState Merge(IReadOnlyList<SegmentationEvaluationState> states, bool allowIncomplete)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            throw new ArgumentException("Nothing to merge: give at least one state.", nameof(states));
        }

        SegmentationEvaluationState first = states[0] ?? throw new ArgumentNullException(nameof(states));
        for (int i = 1; i < states.Count; i++)
        {
            CheckCompatible(first, states[i] ?? throw new ArgumentNullException(nameof(states)), i);
        }

        IReadOnlyList<SegmentationEvaluationState> ordered = OrderShards(states, allowIncomplete);
        var confusion = new long[first._confusion.Length];
        foreach (SegmentationEvaluationState state in ordered)
        {
            for (int i = 0; i < confusion.Length; i++)
            {
                confusion[i] += state._confusion[i];
            }
        }

        ConfusionCounts[] counts = ordered.SelectMany(s => s._imageCounts).ToArray();
        double[][]? boundary = first._boundaryMetrics is not null ? ordered.SelectMany(s => s._imageBoundary!).ToArray() : null;
        SkippedImage[] skipped = ordered.SelectMany(s => s._skipped).ToArray();
        return new SegmentationEvaluationState(first._classNames, first.ToOptions(), null, confusion, counts, boundary, skipped, MergeCalibration(ordered));
    }

    /// <summary>The states' exact bins summed (integers: any order gives the same); null when calibration is off.</summary>
    private static CalibrationSums[]? MergeCalibration(IReadOnlyList<SegmentationEvaluationState> ordered)
    {
        if (ordered[0]._calibrationBins is not { } first)
        {
            return null;
        }

        CalibrationSums[] sum = first.Select(g => new CalibrationSums(g.Length)).ToArray();
        foreach (SegmentationEvaluationState state in ordered)
        {
            for (int g = 0; g < sum.Length; g++)
            {
                sum[g].Add(state._calibrationBins![g]);
            }
        }

        return sum;
    }

    /// <summary>The shard indices missing from <paramref name="states"/> (all labelled with shards of one count).</summary>
    /// <param name="states">Sharded states.</param>
    /// <returns>The missing indices in increasing order; empty when every shard is present or no state is labelled.</returns>
    public static IReadOnlyList<int> MissingShards(IEnumerable<SegmentationEvaluationState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        EvaluationShard[] shards = states.Where(s => s.Shard is not null).Select(s => s.Shard!.Value).ToArray();
        if (shards.Length == 0)
        {
            return Array.Empty<int>();
        }

        var present = shards.Select(s => s.Index).ToHashSet();
        return Enumerable.Range(0, shards.Max(s => s.Count)).Where(i => !present.Contains(i)).ToArray();
    }

    private static IReadOnlyList<SegmentationEvaluationState> OrderShards(IReadOnlyList<SegmentationEvaluationState> states, bool allowIncomplete)
    {
        int labelled = states.Count(s => s.Shard is not null);
        if (labelled == 0)
        {
            return states;
        }

        if (labelled != states.Count)
        {
            int bare = IndexOf(states, s => s.Shard is null);
            int sharded = IndexOf(states, s => s.Shard is not null);
            throw new ArgumentException($"State {bare} is not a shard but state {sharded} is shard {states[sharded].Shard}; merge the shards of one split, or only unsharded states.", nameof(states));
        }

        int count = states[0].Shard!.Value.Count;
        for (int i = 1; i < states.Count; i++)
        {
            if (states[i].Shard!.Value.Count != count)
            {
                throw new ArgumentException($"State {i} is shard {states[i].Shard} but state 0 is shard {states[0].Shard}: they come from splits into different numbers of shards.", nameof(states));
            }
        }

        var seen = new Dictionary<int, int>();
        for (int i = 0; i < states.Count; i++)
        {
            int index = states[i].Shard!.Value.Index;
            if (!seen.TryAdd(index, i))
            {
                throw new ArgumentException($"Shard {states[i].Shard} is given twice (states {seen[index]} and {i}); its images would count twice.", nameof(states));
            }
        }

        IReadOnlyList<int> missing = MissingShards(states);
        if (missing.Count > 0 && !allowIncomplete)
        {
            throw new ArgumentException($"Shard(s) {string.Join(", ", missing.Select(m => $"{m}/{count}"))} missing: {states.Count} of {count} shards were given.", nameof(states));
        }

        return states.OrderBy(s => s.Shard!.Value.Index).ToArray();
    }

    private static int IndexOf(IReadOnlyList<SegmentationEvaluationState> states, Func<SegmentationEvaluationState, bool> predicate)
    {
        for (int i = 0; i < states.Count; i++)
        {
            if (predicate(states[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void CheckCompatible(SegmentationEvaluationState a, SegmentationEvaluationState b, int index)
    {
        if (!a._classNames.SequenceEqual(b._classNames, StringComparer.Ordinal))
        {
            throw new ArgumentException($"State {index} has classes [{string.Join(", ", b._classNames)}] but state 0 has [{string.Join(", ", a._classNames)}]; merge evaluations of the same classes.", "states");
        }

        (string Name, object? A, object? B)[] options =
        [
            ("IgnoreIndex", a.IgnoreIndex, b.IgnoreIndex),
            ("Reduction", a.Reduction, b.Reduction),
            ("AbsentClass", a.AbsentClass, b.AbsentClass),
            ("Absence", a.Absence, b.Absence),
            ("BoundaryMetrics", a._boundaryMetrics is null ? "none" : "on", b._boundaryMetrics is null ? "none" : "on"),
            ("Calibration", a._calibration is null ? "none" : "on", b._calibration is null ? "none" : "on"),
            ("Calibration.Bins", a._calibration?.Bins, b._calibration?.Bins),
            ("Calibration.Reduction", a._calibration?.Reduction, b._calibration?.Reduction),
        ];
        foreach ((string name, object? x, object? y) in options)
        {
            if (!Equals(x, y))
            {
                throw new ArgumentException($"State {index} has {name} {Show(y)} but state 0 has {Show(x)}; merge evaluations run with the same options.", "states");
            }
        }

        if (a._boundaryMetrics is not null && BoundaryMetricOptions.FirstDifference(a._boundaryMetrics, b._boundaryMetrics!) is { } difference)
        {
            throw new ArgumentException($"State {index} has BoundaryMetrics.{difference.Name} {difference.B} but state 0 has {difference.A}; merge evaluations run with the same options.", "states");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "none",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };
}
