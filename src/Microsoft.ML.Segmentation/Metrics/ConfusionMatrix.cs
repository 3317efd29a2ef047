using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// A streaming confusion matrix of mutually exclusive classes: <c>this[truth, predicted]</c> counts the pixels of true
/// class <c>truth</c> that were predicted as <c>predicted</c>. Feed it label maps image by image or batch by batch;
/// read <see cref="ConfusionCounts"/> for the metrics.
/// </summary>
/// <remarks>
/// <para>Pixels whose ground truth equals the ignore index are skipped (also when the ignore index is a class number: that
/// class then never counts as ground truth, as mmseg's <c>Accuracy</c> does). Any other label outside <c>0..C−1</c>
/// throws <see cref="ArgumentException"/> naming the value and its position.</para>
/// <para>Batches are counted in parallel per image; counts are integers, so the result does not depend on scheduling.
/// The class is not thread-safe: do not call <c>Add</c> from several threads at once.</para>
/// <para>Thread safety: not thread-safe: give each thread its own instance and merge them at the end.</para>
/// </remarks>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;
    private readonly List<long[]>? _images;

    /// <summary>Creates an empty matrix.</summary>
    /// <param name="numClasses">Number of classes C. Must be at least 1.</param>
    /// <param name="ignoreIndex">Ground-truth label of pixels to skip, for example 255; <see langword="null"/> for none. Default: null.</param>
    /// <param name="keepImageCounts">Whether to keep a matrix per image added, for image-wise reductions. Default: false.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is less than 1 or too large for C·C counts.</exception>
    public ConfusionMatrix(int numClasses, int? ignoreIndex = null, bool keepImageCounts = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numClasses, 46_340);
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _counts = new long[numClasses * numClasses];
        _images = keepImageCounts ? new List<long[]>() : null;
    }

    /// <summary>Number of classes C.</summary>
    public int NumClasses { get; }

    /// <summary>The ground-truth label that is skipped, or <see langword="null"/>.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>Whether a matrix is kept per image (see the constructor).</summary>
    public bool KeepsImageCounts => _images is not null;

    /// <summary>Number of images added so far.</summary>
    public int ImageCount { get; private set; }

    /// <summary>Number of counted (not ignored) pixels.</summary>
    public long Total
    {
        get
        {
            long sum = 0;
            foreach (long v in _counts)
            {
                sum += v;
            }

            return sum;
        }
    }

    /// <summary>Pixels of true class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="truth">The true class.</param>
    /// <param name="predicted">The predicted class.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside <c>0..C−1</c>.</exception>
    public long this[int truth, int predicted]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(truth);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(truth, NumClasses);
            ArgumentOutOfRangeException.ThrowIfNegative(predicted);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predicted, NumClasses);
            return _counts[(truth * NumClasses) + predicted];
        }
    }

    /// <summary>Adds one image.</summary>
    /// <param name="predicted">Predicted class per pixel, in <c>0..C−1</c>.</param>
    /// <param name="truth">True class per pixel, in <c>0..C−1</c> or the ignore index.</param>
    /// <exception cref="ArgumentException">The lengths differ, or a label is out of range.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth) => Add(predicted, truth, imageCount: 1);

    /// <summary>Adds a batch of label maps <c>[N,H,W]</c> described by <paramref name="shape"/>.</summary>
    /// <param name="predicted">Predicted classes <c>[N,H,W]</c>.</param>
    /// <param name="truth">True classes <c>[N,H,W]</c>.</param>
    /// <param name="shape">The shape of the score tensor the labels belong to; its channel count must equal <see cref="NumClasses"/>.</param>
    /// <exception cref="ArgumentException">A length or the class count does not match, or a label is out of range.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, SegmentationShape shape)
    {
        if (shape.Classes != NumClasses)
        {
            throw new ArgumentException($"The shape {shape} has {shape.Classes} classes but the matrix counts {NumClasses}.", nameof(shape));
        }

        shape.ValidateLabels(predicted.Length, nameof(predicted));
        shape.ValidateLabels(truth.Length, nameof(truth));
        Add(predicted, truth, shape.Batch);
    }

    /// <summary>Adds a batch of <paramref name="imageCount"/> label maps of equal size, stored one after another.</summary>
    /// <param name="predicted">Predicted classes of all images.</param>
    /// <param name="truth">True classes of all images.</param>
    /// <param name="imageCount">Number of images; the length must be a multiple of it. Must be at least 1.</param>
    /// <exception cref="ArgumentException">The lengths differ or do not split into equal images, or a label is out of range.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int imageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageCount, 1);
        MetricsThrowHelper.ThrowIfLengthsDiffer(predicted.Length, truth.Length, nameof(truth));
        if (truth.Length % imageCount != 0)
        {
            throw new ArgumentException(
                $"{truth.Length} pixels do not split into {imageCount} images of equal size; pass whole images.", nameof(imageCount));
        }

        int pixels = truth.Length / imageCount;
        int cc = NumClasses * NumClasses;
        // Kept image matrices are owned by this object; otherwise the per-image scratch comes from the shared pool.
        var perImage = new long[imageCount][];
        for (int n = 0; n < imageCount; n++)
        {
            perImage[n] = _images is not null ? new long[cc] : ArrayPool<long>.Shared.Rent(cc);
            Array.Clear(perImage[n], 0, cc);
        }

        try
        {
            Count(predicted, truth, imageCount, pixels, perImage);
            for (int n = 0; n < imageCount; n++)
            {
                long[] image = perImage[n];
                for (int i = 0; i < cc; i++)
                {
                    _counts[i] += image[i];
                }

                _images?.Add(image);
            }
        }
        finally
        {
            if (_images is null)
            {
                foreach (long[] buffer in perImage)
                {
                    ArrayPool<long>.Shared.Return(buffer);
                }
            }
        }

        ImageCount += imageCount;
    }

    /// <summary>Counts each image into its own matrix; throws on a bad label before the caller changes any state.</summary>
    private unsafe void Count(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int imageCount, int pixels, long[][] perImage)
    {
        fixed (int* pp = predicted)
        fixed (int* tp = truth)
        {
            var p = new NativeSpan<int>(pp, predicted.Length);
            var t = new NativeSpan<int>(tp, truth.Length);
            int classes = NumClasses;
            int ignore = IgnoreIndex ?? int.MinValue;
            int? ignoreIndex = IgnoreIndex;
            // ParallelWork rethrows an image's ArgumentException (a label out of range) as itself.
            ParallelWork.For(imageCount, truth.Length, n =>
                CountImage(p.Slice(n * pixels, pixels), t.Slice(n * pixels, pixels), classes, ignore, ignoreIndex, (long)n * pixels, perImage[n]));
        }
    }

    /// <summary>Adds the counts (and kept image counts) of another matrix, as if its images had been added here.</summary>
    /// <param name="other">A matrix with the same number of classes.</param>
    /// <exception cref="ArgumentException">The class counts differ.</exception>
    public void Merge(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.NumClasses != NumClasses)
        {
            throw new ArgumentException(
                $"Cannot merge a matrix of {other.NumClasses} classes into one of {NumClasses} classes; both must count the same classes.", nameof(other));
        }

        if (_images is not null && other._images is null && other.ImageCount > 0)
        {
            throw new ArgumentException(
                "This matrix keeps per-image counts but the merged one does not; create both with keepImageCounts: true.", nameof(other));
        }

        // Snapshots first, so merging a matrix into itself doubles it cleanly.
        long[] snapshot = (long[])other._counts.Clone();
        long[][] images = other._images?.Select(image => (long[])image.Clone()).ToArray() ?? Array.Empty<long[]>();
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += snapshot[i];
        }

        _images?.AddRange(images);

        ImageCount += other.ImageCount;
    }

    /// <summary>Adds saved row-major counts of <paramref name="imageCount"/> images (a restored evaluation state).</summary>
    internal void AddCounts(ReadOnlySpan<long> counts, int imageCount)
    {
        if (counts.Length != _counts.Length)
        {
            throw new ArgumentException($"A confusion matrix of {NumClasses} classes has {_counts.Length} entries, not {counts.Length}.", nameof(counts));
        }

        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += counts[i];
        }

        ImageCount += imageCount;
    }

    /// <summary>The matrix as row-major counts <c>[truth, predicted]</c>.</summary>
    /// <returns>A copy of the C·C counts.</returns>
    public long[] ToArray() => (long[])_counts.Clone();

    /// <summary>One-vs-rest counts of every class over everything added.</summary>
    /// <returns>The dataset's counts.</returns>
    public ConfusionCounts ToCounts() => ConfusionCounts.FromMatrix(_counts, NumClasses);

    /// <summary>One-vs-rest counts of each image added, in order.</summary>
    /// <returns>One entry per image.</returns>
    /// <exception cref="InvalidOperationException">The matrix was created without <c>keepImageCounts</c>.</exception>
    public ConfusionCounts[] ToImageCounts()
    {
        if (_images is null)
        {
            throw new InvalidOperationException("Per-image counts were not kept; create the matrix with keepImageCounts: true.");
        }

        var result = new ConfusionCounts[_images.Count];
        for (int n = 0; n < result.Length; n++)
        {
            result[n] = ConfusionCounts.FromMatrix(_images[n], NumClasses);
        }

        return result;
    }

    /// <summary>Clears all counts.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        _images?.Clear();
        ImageCount = 0;
    }

    private static void CountImage(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth, int classes, int ignore, int? ignoreIndex, long offset, long[] counts)
    {
        for (int i = 0; i < truth.Length; i++)
        {
            int t = truth[i];
            int p = predicted[i];
            if ((uint)t >= (uint)classes || t == ignore)
            {
                // ignoreIndex, not ignore: without an ignore index, int.MinValue stands for none and is out of range.
                if (t == ignoreIndex)
                {
                    continue;
                }

                MetricsThrowHelper.ThrowTruthOutOfRange("truth", offset + i, t, classes, ignoreIndex);
            }

            if ((uint)p >= (uint)classes)
            {
                MetricsThrowHelper.ThrowPredictionOutOfRange("predicted", offset + i, p, classes);
            }

            counts[(t * classes) + p]++;
        }
    }
}
