using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The ground truth a loss compares against: either a label map of class indices <c>[N,H,W]</c> with an optional
/// ignore index, or a dense target <c>[N,C,H,W]</c> (one-hot, multilabel or soft labels in [0, 1]).
/// </summary>
/// <typeparam name="T">The floating-point type of the scores (<see cref="float"/> or <see cref="double"/>).</typeparam>
/// <remarks>
/// <para>Label maps: a pixel whose label equals <see cref="IgnoreIndex"/> takes no part in any loss, neither in its
/// value nor in its averaging denominator unless a loss's options say otherwise. With one channel (a binary model), label 1 is
/// foreground and 0 background.</para>
/// <para>Dense targets: an element that is <c>NaN</c> is ignored, so a multilabel target can leave single classes
/// of a pixel unlabelled.</para>
/// </remarks>
public readonly ref struct SegmentationTarget<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private SegmentationTarget(ReadOnlySpan<int> labels, int? ignoreIndex, ReadOnlySpan<T> dense, bool isLabels)
    {
        Labels = labels;
        IgnoreIndex = ignoreIndex;
        Dense = dense;
        IsLabelMap = isLabels;
    }

    /// <summary>The label map <c>[N,H,W]</c>, when <see cref="IsLabelMap"/>.</summary>
    public ReadOnlySpan<int> Labels { get; }

    /// <summary>The label that marks pixels to ignore, or <see langword="null"/> for none.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>The dense target <c>[N,C,H,W]</c>, when not <see cref="IsLabelMap"/>.</summary>
    public ReadOnlySpan<T> Dense { get; }

    /// <summary><see langword="true"/> for a label map, <see langword="false"/> for a dense target.</summary>
    public bool IsLabelMap { get; }

    /// <summary>A target given as class indices <c>[N,H,W]</c>.</summary>
    /// <param name="labels">Class index per pixel, in <c>[0, C)</c> (binary models: 0 or 1), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">Label of pixels to ignore (for example 255); <see langword="null"/> for none.</param>
    /// <returns>The target.</returns>
    public static SegmentationTarget<T> FromLabels(ReadOnlySpan<int> labels, int? ignoreIndex = null)
        => new(labels, ignoreIndex, default, isLabels: true);

    /// <summary>A dense target <c>[N,C,H,W]</c>: one-hot, multilabel, or soft labels; <c>NaN</c> marks ignored elements.</summary>
    /// <param name="values">Target value per element, finite or <c>NaN</c>.</param>
    /// <returns>The target.</returns>
    public static SegmentationTarget<T> FromDense(ReadOnlySpan<T> values)
        => new(default, null, values, isLabels: false);

    /// <summary>Counts the labels equal to the ignore index in <c>[start, start + length)</c>; throws at the first other label outside the classes.</summary>
    private long CountIgnored(ReadOnlySpan<int> labels, int start, int length, int labelCount, string paramName)
    {
        // Without an ignore index nothing is ignored: int.MinValue, which stands for "none" in the kernels' masks, is
        // a label outside the classes like any other (it was once taken for the ignore index here and left out unnamed).
        bool hasIgnore = IgnoreIndex is not null;
        int ignoreValue = IgnoreIndex.GetValueOrDefault();
        long ignored = 0;
        for (int i = start; i < start + length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)labelCount)
            {
                if (!hasIgnore || label != ignoreValue)
                {
                    Kernels.ThrowHelper.ThrowLabelOutOfRange(paramName, i, label, labelCount, IgnoreIndex);
                }

                ignored++;
            }
        }

        return ignored;
    }

    /// <summary>Elements per chunk of the dense scan in <see cref="ValidateAndCount"/> (16 KiB of floats).</summary>
    private const int ScanChunk = 4096;

    /// <summary>Checks lengths and label values against <paramref name="shape"/>.</summary>
    /// <param name="shape">The shape of the scores the target belongs to.</param>
    /// <param name="paramName">The parameter name reported in exceptions.</param>
    /// <exception cref="ArgumentException">A length does not match, a label is out of range, or a dense value is infinite.</exception>
    internal void Validate(SegmentationShape shape, string paramName) => ValidateAndCount(shape, paramName);

    /// <summary>
    /// <see cref="Validate"/>, returning the number of counted (not ignored) elements <c>[N,C,H,W]</c>: what element
    /// averaging divides by. One read of the target does both.
    /// </summary>
    /// <param name="shape">The shape of the scores the target belongs to.</param>
    /// <param name="paramName">The parameter name reported in exceptions.</param>
    /// <returns>The number of elements not ignored.</returns>
    /// <exception cref="ArgumentException">A length does not match, a label is out of range, or a dense value is infinite.</exception>
    /// <remarks>Compiled optimized from the first call, as <see cref="LabelScan.AllBelow"/> is: a loss calls it once per call, so the tiered JIT ran its loops unoptimized for many calls.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal long ValidateAndCount(SegmentationShape shape, string paramName)
    {
        if (IsLabelMap)
        {
            shape.ValidateLabels(Labels.Length, paramName);
            int labelCount = shape.Classes == 1 ? 2 : shape.Classes;
            if (IgnoreIndex is int ignore && ignore >= 0 && ignore < labelCount)
            {
                throw new ArgumentException(
                    $"ignoreIndex ({ignore}) must lie outside the class labels 0..{labelCount - 1}; use 255 or -100.", paramName);
            }

            // Four vectors at a time, as unsigned (LabelScan): only blocks with a label outside the classes are read
            // again label by label. The element loop took as long as the binary cross-entropy kernel after it on
            // [8,1,256,256] (a profile).
            ReadOnlySpan<int> labels = Labels;
            long ignored = 0;
            var highest = new Vector<uint>((uint)labelCount - 1);
            int block = LabelScan.BlockLength;
            int start = 0;
            for (; start <= labels.Length - block; start += block)
            {
                if (LabelScan.BlockExceeds(labels, start, highest))
                {
                    ignored += CountIgnored(labels, start, block, labelCount, paramName);
                }
            }

            ignored += CountIgnored(labels, start, labels.Length - start, labelCount, paramName);
            return (shape.PixelCount - ignored) * shape.Classes;
        }

        shape.ValidateScores(Dense.Length, paramName);

        // Vectorized scans of L1-sized chunks: the first brings a chunk in, the second reads it from cache. An element
        // loop over [8,21,256,256] took 5.3 ms against 1.75 ms for one scan, a third of a dense-target focal loss.
        long nan = 0;
        for (int start = 0; start < Dense.Length; start += ScanChunk)
        {
            ReadOnlySpan<T> chunk = Dense.Slice(start, Math.Min(ScanChunk, Dense.Length - start));
            if (TensorPrimitives.IsFiniteAll(chunk))
            {
                continue; // the usual case in one scan: neither an infinity nor a NaN
            }

            if (TensorPrimitives.IsInfinityAny(chunk))
            {
                int i = 0;
                while (!T.IsInfinity(chunk[i]))
                {
                    i++;
                }

                throw new ArgumentException($"The dense target holds an infinite value at element {start + i}; use values in [0, 1], or NaN to ignore an element.", paramName);
            }

            if (TensorPrimitives.IsNaNAny(chunk))
            {
                foreach (T value in chunk)
                {
                    nan += T.IsNaN(value) ? 1 : 0;
                }
            }
        }

        return Dense.Length - nan;
    }

    /// <summary>
    /// Writes the target row of channel <paramref name="c"/> of image <paramref name="n"/> and its validity mask (1 or 0).
    /// Ignored elements get target 0 and mask 0.
    /// </summary>
    internal void FillRow(SegmentationShape shape, int n, int c, Span<T> target, Span<T> valid)
    {
        int s = shape.PixelsPerImage;
        if (IsLabelMap)
        {
            ReadOnlySpan<int> labels = Labels.Slice(n * s, s);
            int cls = shape.Classes == 1 ? 1 : c;
            int ignore = IgnoreIndex ?? int.MinValue;
            for (int i = 0; i < s; i++)
            {
                int label = labels[i];
                target[i] = label == cls ? T.One : T.Zero;
                valid[i] = label == ignore ? T.Zero : T.One;
            }
        }
        else
        {
            ReadOnlySpan<T> row = Dense.Slice(((n * shape.Classes) + c) * s, s);
            for (int i = 0; i < s; i++)
            {
                T value = row[i];
                bool ignored = T.IsNaN(value);
                target[i] = ignored ? T.Zero : value;
                valid[i] = ignored ? T.Zero : T.One;
            }
        }
    }

    /// <summary>Whether any element is ignored (so kernels can skip masking work when none is).</summary>
    internal bool HasIgnored()
    {
        if (IsLabelMap)
        {
            return IgnoreIndex is int ignore && Labels.Contains(ignore);
        }

        return TensorPrimitives.IsNaNAny(Dense);
    }
}
