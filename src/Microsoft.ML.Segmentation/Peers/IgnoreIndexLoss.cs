using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// A peer's <c>ignore_index</c> applied to the target before a SegML loss sees it: a label map gets it as its ignore
/// index; a dense target gets NaN (ignored) wherever it holds the value. A label map that already names a different
/// ignore index is an error, since one pixel cannot follow two markers.
/// </summary>
internal sealed class IgnoreIndexLoss : ISegmentationLoss
{
    private readonly ISegmentationLoss _inner;
    private readonly int _ignoreIndex;

    public IgnoreIndexLoss(ISegmentationLoss inner, int ignoreIndex)
    {
        _inner = inner;
        _ignoreIndex = ignoreIndex;
    }

    public ISegmentationLoss Inner => _inner;

    public int IgnoreIndex => _ignoreIndex;

    public string Name => _inner.Name;

    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target.IsLabelMap)
        {
            if (target.IgnoreIndex is int other && other != _ignoreIndex)
            {
                throw new ArgumentException(
                    $"The label map's ignore index ({other}) differs from the preset's ignore_index ({_ignoreIndex}); give the same value, or leave the label map's unset.",
                    nameof(target));
            }

            return _inner.Compute(input, shape, SegmentationTarget<T>.FromLabels(target.Labels, _ignoreIndex), inputGradient);
        }

        T marker = T.CreateChecked(_ignoreIndex);
        var dense = new T[target.Dense.Length];
        for (int i = 0; i < dense.Length; i++)
        {
            T value = target.Dense[i];
            dense[i] = value == marker ? T.NaN : value;
        }

        return _inner.Compute<T>(input, shape, SegmentationTarget<T>.FromDense(dense), inputGradient);
    }

    /// <summary>The loss, wrapped when <paramref name="ignoreIndex"/> is set.</summary>
    public static ISegmentationLoss Wrap(ISegmentationLoss loss, int? ignoreIndex)
        => ignoreIndex is int i ? new IgnoreIndexLoss(loss, i) : loss;
}
