using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Runs a loss on channels 1..C−1 only, as MONAI does when <c>include_background=False</c> drops channel 0 of input and
/// target before the loss (and before its activation). A label map becomes the one-hot of classes 1..C−1 (a pixel of
/// class 0 is all zeros there; an ignored pixel is NaN). The gradient of channel 0 is 0.
/// </summary>
internal sealed class BackgroundDroppedLoss : ISegmentationLoss
{
    private readonly ISegmentationLoss _inner;

    public BackgroundDroppedLoss(ISegmentationLoss inner) => _inner = inner;

    public ISegmentationLoss Inner => _inner;

    public string Name => _inner.Name;

    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        SegmentationShape kept = shape.WithClasses(shape.Classes - 1);
        T[] keptInput = Drop(input, shape);
        T[] keptTarget = target.IsLabelMap ? OneHotWithoutBackground(target, shape) : Drop(target.Dense, shape);
        T[] keptGradient = inputGradient.IsEmpty ? Array.Empty<T>() : new T[kept.ElementCount];
        double value = _inner.Compute<T>(keptInput, kept, SegmentationTarget<T>.FromDense(keptTarget), keptGradient);
        if (!inputGradient.IsEmpty)
        {
            inputGradient.Clear();
            int s = shape.PixelsPerImage;
            for (int n = 0; n < shape.Batch; n++)
            {
                keptGradient.AsSpan(n * kept.Classes * s, kept.Classes * s).CopyTo(inputGradient.Slice(((n * shape.Classes) + 1) * s));
            }
        }

        return value;
    }

    private static T[] Drop<T>(ReadOnlySpan<T> values, SegmentationShape shape)
    {
        int s = shape.PixelsPerImage, c = shape.Classes;
        var kept = new T[shape.Batch * (c - 1) * s];
        for (int n = 0; n < shape.Batch; n++)
        {
            values.Slice(((n * c) + 1) * s, (c - 1) * s).CopyTo(kept.AsSpan(n * (c - 1) * s));
        }

        return kept;
    }

    private static T[] OneHotWithoutBackground<T>(SegmentationTarget<T> target, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage, c = shape.Classes;
        int ignore = target.IgnoreIndex ?? int.MinValue;
        var dense = new T[shape.Batch * (c - 1) * s];
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = target.Labels[(n * s) + i];
                for (int k = 1; k < c; k++)
                {
                    dense[(((n * (c - 1)) + k - 1) * s) + i] = label == ignore ? T.NaN : label == k ? T.One : T.Zero;
                }
            }
        }

        return dense;
    }
}
