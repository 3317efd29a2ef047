using System.Numerics;
using Microsoft.ML.Segmentation;
using Microsoft.ML.Segmentation.Losses;

namespace LossComparison;

/// <summary>
/// <c>region + α_e · ramped</c> with α raised linearly over the epochs, α_e = start + step · (e − 1): the schedule
/// Kervadec et al. (2019) give for the boundary loss (from 0.01, +0.01 per epoch), which must not lead early in
/// training, when the predicted regions are still far from the truth.
/// </summary>
/// <remarks>
/// The trainer has no loss schedule of its own; <see cref="LossComparisonRunner"/> calls <see cref="BeginEpoch"/> before
/// the first epoch and from <c>HeadTrainingOptions.Progress</c> after each, and the trainer computes the loss on one
/// thread, so the weight never changes inside an epoch.
/// </remarks>
public sealed class RampedLoss : ISegmentationLoss
{
    private readonly ISegmentationLoss _region, _ramped;
    private readonly double _start, _step;
    private CombinedLoss _current;

    /// <summary>Combines the two losses; α starts at <paramref name="start"/>.</summary>
    /// <param name="region">The region loss, weight 1 throughout.</param>
    /// <param name="ramped">The loss whose weight grows.</param>
    /// <param name="start">α of epoch 1.</param>
    /// <param name="step">α's increase per epoch.</param>
    public RampedLoss(ISegmentationLoss region, ISegmentationLoss ramped, double start, double step)
    {
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _ramped = ramped ?? throw new ArgumentNullException(nameof(ramped));
        _start = start;
        _step = step;
        Alpha = start;
        _current = new CombinedLoss((region, 1.0), (ramped, start));
    }

    /// <summary>The weight of the ramped loss in the current epoch.</summary>
    public double Alpha { get; private set; }

    /// <inheritdoc/>
    public string Name => $"{_region.Name}+alpha*{_ramped.Name}";

    /// <summary>Sets α for <paramref name="epoch"/> (1-based).</summary>
    public void BeginEpoch(int epoch)
    {
        Alpha = _start + (_step * (epoch - 1));
        _current = new CombinedLoss((_region, 1.0), (_ramped, Alpha));
    }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T> => _current.Compute(input, shape, target, inputGradient);
}
