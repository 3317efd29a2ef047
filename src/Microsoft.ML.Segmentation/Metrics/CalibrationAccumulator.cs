using System;
using System.Linq;
using System.Numerics;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Streams predictions into calibration bins without keeping them: per group (a class, or the single top-label group)
/// and bin, only the count, the confidence sum and the accuracy sum. Two accumulators with the same binning and groups
/// add up (<see cref="Merge"/>) to what one would hold after seeing both inputs, so shards and workers combine.
/// </summary>
/// <remarks>
/// Memory: 40 bytes per bin per group, whatever the number of pixels. The sums are kept in 128-bit fixed point (units
/// of 2⁻⁶⁴), so they add exactly: a merge of shards equals a single pass bit for bit, in any order.
/// <para>Thread safety: not thread-safe; give each worker its own accumulator and merge them.</para>
/// </remarks>
public sealed class CalibrationAccumulator
{
    private readonly CalibrationSums[] _sums;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="binning">Where a confidence goes.</param>
    /// <param name="groups">The number of groups: 1 for top-label calibration, C for class-wise.</param>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one group.</exception>
    public CalibrationAccumulator(CalibrationBinning binning, int groups)
    {
        ArgumentNullException.ThrowIfNull(binning);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        Binning = binning;
        Groups = groups;
        _sums = new CalibrationSums[groups];
        for (int g = 0; g < groups; g++)
        {
            _sums[g] = new CalibrationSums(binning.BinCount);
        }
    }

    /// <summary>The binning.</summary>
    public CalibrationBinning Binning { get; }

    /// <summary>The number of groups.</summary>
    public int Groups { get; }

    /// <summary>The number of predictions added to <paramref name="group"/>.</summary>
    /// <param name="group">The group, in 0..<see cref="Groups"/>−1.</param>
    /// <returns>The count.</returns>
    public long CountOf(int group)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)group, (uint)Groups, nameof(group));
        long total = 0;
        foreach (long count in _sums[group].Count)
        {
            total += count;
        }

        return total;
    }

    /// <summary>The bins of <paramref name="group"/>, in bin order.</summary>
    /// <param name="group">The group, in 0..<see cref="Groups"/>−1.</param>
    /// <returns>A copy of the sums, as doubles.</returns>
    public CalibrationBin[] Bins(int group)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)group, (uint)Groups, nameof(group));
        return _sums[group].ToBins();
    }

    /// <summary>The exact sums of <paramref name="group"/> (a copy), for a saved state.</summary>
    internal CalibrationSums ExactSums(int group) => _sums[group].Copy();

    /// <summary>Adds exact sums (a saved state's) to <paramref name="group"/>.</summary>
    internal void AddExact(int group, CalibrationSums sums) => _sums[group].Add(sums);

    /// <summary>The calibration error of <paramref name="group"/>: see <see cref="CalibrationError.Compute"/>.</summary>
    /// <param name="group">The group.</param>
    /// <param name="reduction">How the gaps reduce.</param>
    /// <returns>The error; NaN when the group is empty.</returns>
    public double Error(int group, CalibrationReduction reduction) => CalibrationError.Compute(Bins(group), reduction);

    /// <summary>Adds one prediction.</summary>
    /// <param name="group">The group, in 0..<see cref="Groups"/>−1.</param>
    /// <param name="confidence">Its confidence.</param>
    /// <param name="accuracy">1 when right, 0 when wrong (or a soft target).</param>
    /// <exception cref="ArgumentException">The confidence is NaN.</exception>
    public void Add(int group, double confidence, double accuracy)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)group, (uint)Groups, nameof(group));
        _sums[group].Add(Binning.BinOf(confidence), confidence, accuracy);
    }

    /// <summary>Adds bin sums (a saved state's) to <paramref name="group"/>.</summary>
    /// <param name="group">The group.</param>
    /// <param name="bins">One entry per bin.</param>
    /// <exception cref="ArgumentException">The number of bins differs from the binning's.</exception>
    public void AddBins(int group, ReadOnlySpan<CalibrationBin> bins)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)group, (uint)Groups, nameof(group));
        if (bins.Length != Binning.BinCount)
        {
            throw new ArgumentException($"{bins.Length} bins were given; the binning has {Binning.BinCount}.", nameof(bins));
        }

        CalibrationSums own = _sums[group];
        for (int b = 0; b < bins.Length; b++)
        {
            own.Count[b] += bins[b].Count;
            own.Confidence[b] += CalibrationSums.ToFixed(bins[b].ConfidenceSum);
            own.Accuracy[b] += CalibrationSums.ToFixed(bins[b].AccuracySum);
        }
    }

    /// <summary>
    /// Adds one image class-wise (MONAI's per-channel form): for every counted pixel and class c, confidence p_c and
    /// accuracy 1 when the pixel's label is c. Group c is class c.
    /// </summary>
    /// <param name="probabilities">Class probabilities, channel-major: p_c of pixel i at [c·P + i].</param>
    /// <param name="labels">The true class of each of the P pixels; a label outside 0..C−1 (the ignore index) is skipped.</param>
    /// <typeparam name="T">float or double.</typeparam>
    /// <exception cref="ArgumentException">The lengths do not give C = <see cref="Groups"/> channels.</exception>
    public void AddClassWise<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int pixels = CheckChannels(probabilities.Length, labels.Length);
        for (int i = 0; i < pixels; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)Groups)
            {
                continue;
            }

            for (int c = 0; c < Groups; c++)
            {
                Add(c, double.CreateTruncating(probabilities[(c * pixels) + i]), label == c ? 1 : 0);
            }
        }
    }

    /// <summary>
    /// Adds one image top-label (torchmetrics' multiclass form, Guo et al.'s ECE): per counted pixel the largest class
    /// probability is the confidence, and the accuracy is 1 when that class (the first, on a tie) is the label. Needs one group.
    /// </summary>
    /// <param name="probabilities">Class probabilities, channel-major: p_c of pixel i at [c·P + i]; C ≥ 1 channels.</param>
    /// <param name="labels">The true class of each of the P pixels; a label outside 0..C−1 (the ignore index) is skipped.</param>
    /// <typeparam name="T">float or double.</typeparam>
    /// <exception cref="InvalidOperationException">The accumulator has more than one group.</exception>
    /// <exception cref="ArgumentException">The probabilities do not split into whole channels of P pixels.</exception>
    public void AddTopLabel<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> labels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Groups != 1)
        {
            throw new InvalidOperationException($"Top-label calibration has one group; this accumulator has {Groups}.");
        }

        if (labels.Length == 0 || probabilities.Length % labels.Length != 0 || probabilities.Length == 0)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities do not split into channels of {labels.Length} pixels.", nameof(probabilities));
        }

        int pixels = labels.Length;
        int channels = probabilities.Length / pixels;
        for (int i = 0; i < pixels; i++)
        {
            if ((uint)labels[i] >= (uint)channels)
            {
                continue;
            }

            int best = 0;
            T max = probabilities[i];
            for (int c = 1; c < channels; c++)
            {
                T p = probabilities[(c * pixels) + i];
                if (p > max)
                {
                    max = p;
                    best = c;
                }
            }

            Add(0, double.CreateTruncating(max), best == labels[i] ? 1 : 0);
        }
    }

    /// <summary>Adds everything <paramref name="other"/> holds.</summary>
    /// <param name="other">An accumulator with the same binning and number of groups.</param>
    /// <exception cref="ArgumentException">The binnings or group counts differ.</exception>
    public void Merge(CalibrationAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Groups != Groups || !other.Binning.SameAs(Binning))
        {
            throw new ArgumentException($"Cannot merge calibration bins of {other.Groups} group(s) × {other.Binning.BinCount} bins into {Groups} × {Binning.BinCount} with a different binning.", nameof(other));
        }

        // Snapshot first, so merging an accumulator into itself doubles it cleanly.
        CalibrationSums[] theirs = other._sums.Select(s => s.Copy()).ToArray();
        for (int g = 0; g < Groups; g++)
        {
            _sums[g].Add(theirs[g]);
        }
    }

    private int CheckChannels(int probabilities, int pixels)
    {
        if ((long)pixels * Groups != probabilities)
        {
            throw new ArgumentException($"{probabilities} probabilities are not {Groups} channels of {pixels} pixels.", nameof(probabilities));
        }

        return pixels;
    }
}
