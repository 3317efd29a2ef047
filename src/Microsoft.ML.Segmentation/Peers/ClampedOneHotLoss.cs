using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// mmseg 1.x's target for <c>DiceLoss</c>: a label map becomes <c>one_hot(clamp(t, 0, C), C + 1)[..., :C]</c>, so a pixel
/// labelled ignore_index (or any label ≥ C) is an all-zero row whose prediction still counts; a negative label is
/// class 0, as the clamp makes it. Dense targets pass as they are.
/// </summary>
internal sealed class ClampedOneHotLoss : ISegmentationLoss
{
    private readonly ISegmentationLoss _inner;

    public ClampedOneHotLoss(ISegmentationLoss inner) => _inner = inner;

    public ISegmentationLoss Inner => _inner;

    public string Name => _inner.Name;

    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!target.IsLabelMap)
        {
            return _inner.Compute(input, shape, target, inputGradient);
        }

        shape.ValidateLabels(target.Labels.Length, nameof(target));
        int c = shape.Classes, s = shape.PixelsPerImage;
        var dense = new T[shape.ElementCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = Math.Max(target.Labels[(n * s) + i], 0);
                if (label < c)
                {
                    dense[(((n * c) + label) * s) + i] = T.One;
                }
            }
        }

        return _inner.Compute<T>(input, shape, SegmentationTarget<T>.FromDense(dense), inputGradient);
    }
}
