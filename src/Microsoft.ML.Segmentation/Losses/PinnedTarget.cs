using System;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A <see cref="SegmentationTarget{T}"/> whose memory the caller has pinned, so parallel work items can read it,
/// and that produces the target row of one (image, channel) pixel chunk with vectorized operations.
/// </summary>
/// <remarks>Valid only while the caller keeps the target's memory pinned.</remarks>
internal readonly struct PinnedTarget<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NativeSpan<int> _labels;
    private readonly NativeSpan<T> _dense;
    private readonly int _ignore;
    private readonly bool _hasIgnore;
    private readonly SegmentationShape _shape;

    public PinnedTarget(NativeSpan<int> labels, NativeSpan<T> dense, bool isLabelMap, int? ignoreIndex, SegmentationShape shape)
    {
        _labels = labels;
        _dense = dense;
        IsLabelMap = isLabelMap;
        _ignore = ignoreIndex ?? 0;
        _hasIgnore = ignoreIndex is not null;
        _shape = shape;
    }

    public bool IsLabelMap { get; }

    /// <summary>
    /// Writes the target of channel <paramref name="k"/> of image <paramref name="n"/> for pixels
    /// <c>[start, start + t.Length)</c> into <paramref name="t"/> (ignored elements 0) and, when some element of the
    /// chunk is ignored, the validity mask (1 or 0) into <paramref name="valid"/>.
    /// </summary>
    /// <returns>Whether some element of the chunk is ignored (only then is <paramref name="valid"/> written).</returns>
    public bool FillChunk(int n, int k, int start, Span<T> t, Span<T> valid)
    {
        int s = _shape.PixelsPerImage;
        int length = t.Length;
        if (IsLabelMap)
        {
            ReadOnlySpan<int> labels = _labels.Slice((n * s) + start, length);
            int cls = _shape.Classes == 1 ? 1 : k;

            // Labels are integers, so max(0, 1 − |label − cls|) is (label == cls) and min(1, |label − ignore|) is (label != ignore).
            TensorPrimitives.ConvertTruncating(labels, t);
            bool masked = _hasIgnore && labels.Contains(_ignore);
            if (masked)
            {
                TensorPrimitives.Subtract(t, T.CreateTruncating(_ignore), valid);
                TensorPrimitives.Abs(valid, valid);
                TensorPrimitives.Min(valid, T.One, valid);
            }

            TensorPrimitives.Subtract(t, T.CreateTruncating(cls), t);
            TensorPrimitives.Abs(t, t);
            TensorPrimitives.Subtract(T.One, t, t);
            TensorPrimitives.Max(t, T.Zero, t);
            return masked;
        }

        ReadOnlySpan<T> row = _dense.Slice((((n * _shape.Classes) + k) * s) + start, length);
        if (!TensorPrimitives.IsNaNAny(row))
        {
            row.CopyTo(t);
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            T value = row[i];
            bool ignored = T.IsNaN(value);
            t[i] = ignored ? T.Zero : value;
            valid[i] = ignored ? T.Zero : T.One;
        }

        return true;
    }
}
