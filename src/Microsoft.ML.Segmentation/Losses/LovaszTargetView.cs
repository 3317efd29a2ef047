using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A pinned view of a <see cref="SegmentationTarget{T}"/> that parallel work items can capture: it says for one
/// element whether it is ignored, foreground or background.
/// </summary>
internal readonly unsafe struct LovaszTargetView<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NativeSpan<int> _labels;
    private readonly NativeSpan<T> _dense;
    private readonly int _ignore;
    private readonly bool _isLabelMap;

    /// <param name="target">The target; its memory must stay pinned at <paramref name="labels"/> and <paramref name="dense"/>.</param>
    /// <param name="labels">The pinned label map, or null for a dense target.</param>
    /// <param name="dense">The pinned dense target, or null for a label map.</param>
    public LovaszTargetView(SegmentationTarget<T> target, int* labels, T* dense)
    {
        _labels = new NativeSpan<int>(labels, target.Labels.Length);
        _dense = new NativeSpan<T>(dense, target.Dense.Length);
        _ignore = target.IgnoreIndex ?? int.MinValue;
        _isLabelMap = target.IsLabelMap;
    }

    /// <summary>−1 when element <paramref name="element"/> (channel <paramref name="c"/>, pixel <paramref name="pixel"/> of image <paramref name="n"/>) is ignored, 1 when foreground, 0 when background.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int State(SegmentationShape shape, int n, int c, int pixel, int element)
    {
        if (_isLabelMap)
        {
            int label = _labels.Span[(n * shape.PixelsPerImage) + pixel];
            if (label == _ignore)
            {
                return -1;
            }

            int foreground = shape.Classes == 1 ? 1 : c;
            return label == foreground ? 1 : 0;
        }

        T value = _dense.Span[element];
        return T.IsNaN(value) ? -1 : (value == T.One ? 1 : 0);
    }

    /// <summary>
    /// <see cref="State"/> without branches on the pixel's value, for loops where foreground and background alternate at
    /// random (the Lovász hinge over an image, where a branch on the label mispredicted about every other pixel); where
    /// one class is rare (Lovász-Softmax per class), the branches predict well and cost less.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int StateWithoutBranches(SegmentationShape shape, int n, int c, int pixel, int element)
    {
        if (_isLabelMap)
        {
            int label = _labels.Span[(n * shape.PixelsPerImage) + pixel];
            int foreground = shape.Classes == 1 ? 1 : c;
            return (label == foreground ? 1 : 0) | ((label != _ignore ? 1 : 0) - 1);
        }

        T value = _dense.Span[element];
        return (value == T.One ? 1 : 0) | ((T.IsNaN(value) ? 0 : 1) - 1);
    }

    /// <summary>
    /// Counts per group of <paramref name="imagesPerGroup"/> images the foreground pixels of each channel
    /// (<paramref name="foreground"/>, <c>[group, C]</c>) and whether anything is valid (<paramref name="valid"/>, <c>[group]</c>).
    /// </summary>
    public static void Count(SegmentationTarget<T> target, SegmentationShape shape, int imagesPerGroup, Span<long> foreground, Span<long> valid)
    {
        int s = shape.PixelsPerImage;
        int classes = shape.Classes;
        for (int n = 0; n < shape.Batch; n++)
        {
            int group = n / imagesPerGroup;
            if (target.IsLabelMap)
            {
                int ignore = target.IgnoreIndex ?? int.MinValue;
                ReadOnlySpan<int> labels = target.Labels.Slice(n * s, s);
                foreach (int label in labels)
                {
                    if (label == ignore)
                    {
                        continue;
                    }

                    valid[group]++;
                    if (classes == 1)
                    {
                        foreground[group] += label == 1 ? 1 : 0;
                    }
                    else
                    {
                        foreground[(group * classes) + label]++;
                    }
                }

                continue;
            }

            for (int c = 0; c < classes; c++)
            {
                foreach (T value in target.Dense.Slice(((n * classes) + c) * s, s))
                {
                    if (!T.IsNaN(value))
                    {
                        valid[group]++;
                        foreground[(group * classes) + c] += value == T.One ? 1 : 0;
                    }
                }
            }
        }
    }
}
