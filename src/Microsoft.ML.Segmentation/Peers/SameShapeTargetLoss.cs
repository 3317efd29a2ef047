using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Refuses a label-map target for a multi-channel input, as a MONAI loss that requires <c>y_true.shape == y_pred.shape</c>
/// does (its ValueError); otherwise runs the loss it wraps.
/// </summary>
internal sealed class SameShapeTargetLoss : ISegmentationLoss
{
    private readonly string _peerName;

    public SameShapeTargetLoss(ISegmentationLoss inner, string peerName)
    {
        Inner = inner;
        _peerName = peerName;
    }

    public ISegmentationLoss Inner { get; }

    public string Name => Inner.Name;

    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target.IsLabelMap && shape.Classes > 1)
        {
            throw new ArgumentException(
                $"MONAI's {_peerName} requires the ground truth to have the input's shape: a label map [B,1,…] against {shape.Classes} channels raises ValueError there; pass a one-hot (dense) target.",
                nameof(target));
        }

        return Inner.Compute(input, shape, target, inputGradient);
    }
}
