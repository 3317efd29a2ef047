using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Immutable per-class true/false positive/negative counts (one-vs-rest) of one image or of a whole dataset.
/// Every metric of <see cref="ConfusionMetrics"/> is a formula over these counts, so they are computed once.
/// </summary>
/// <remarks>
/// Counts come either from a <see cref="ConfusionMatrix"/> (mutually exclusive classes: each pixel has one true and one
/// predicted label) or from binary masks <c>[N,C,H,W]</c> (<see cref="FromMasks{T}"/>: multilabel, a pixel may belong to
/// several channels, each channel is counted on its own).
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed class ConfusionCounts
{
    private readonly ClassConfusion[] _classes;

    /// <summary>Creates counts from one entry per class.</summary>
    /// <param name="classes">The counts of each class; at least one.</param>
    /// <exception cref="ArgumentException">No class is given, or a count is negative.</exception>
    public ConfusionCounts(ReadOnlySpan<ClassConfusion> classes)
    {
        if (classes.IsEmpty)
        {
            throw new ArgumentException("Confusion counts need at least one class.", nameof(classes));
        }

        for (int c = 0; c < classes.Length; c++)
        {
            ClassConfusion k = classes[c];
            if (k.TruePositives < 0 || k.FalsePositives < 0 || k.FalseNegatives < 0 || k.TrueNegatives < 0)
            {
                throw new ArgumentException($"Class {c} has a negative count ({k}); counts must be zero or more.", nameof(classes));
            }
        }

        _classes = classes.ToArray();
    }

    private ConfusionCounts(ClassConfusion[] classes) => _classes = classes;

    /// <summary>Number of classes C.</summary>
    public int ClassCount => _classes.Length;

    /// <summary>The counts of class <paramref name="classIndex"/>.</summary>
    /// <param name="classIndex">A class in <c>[0, ClassCount)</c>.</param>
    /// <returns>The class's TP, FP, FN and TN.</returns>
    public ClassConfusion this[int classIndex] => _classes[classIndex];

    /// <summary>The per-class counts, in class order.</summary>
    public IReadOnlyList<ClassConfusion> Classes => _classes;

    /// <summary>Σ TP over classes: for exclusive classes, the correctly labelled pixels.</summary>
    public long TruePositives => Sum(static k => k.TruePositives);

    /// <summary>Σ FP over classes.</summary>
    public long FalsePositives => Sum(static k => k.FalsePositives);

    /// <summary>Σ FN over classes.</summary>
    public long FalseNegatives => Sum(static k => k.FalseNegatives);

    /// <summary>Σ TN over classes.</summary>
    public long TrueNegatives => Sum(static k => k.TrueNegatives);

    /// <summary>Σ (TP + FN) over classes: for exclusive classes, the counted (not ignored) pixels.</summary>
    public long Support => Sum(static k => k.Support);

    /// <summary>Counts of a confusion matrix <c>[truth, predicted]</c> given row-major with <paramref name="classCount"/> classes.</summary>
    /// <param name="matrix">The C·C counts, row = true class, column = predicted class.</param>
    /// <param name="classCount">The number of classes C.</param>
    /// <returns>One-vs-rest counts per class.</returns>
    /// <exception cref="ArgumentException">The matrix does not have C·C entries.</exception>
    public static ConfusionCounts FromMatrix(ReadOnlySpan<long> matrix, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (matrix.Length != (long)classCount * classCount)
        {
            throw new ArgumentException(
                $"A confusion matrix of {classCount} classes has {classCount * classCount} entries, not {matrix.Length}.", nameof(matrix));
        }

        long total = 0;
        var predicted = new long[classCount];
        var support = new long[classCount];
        for (int t = 0; t < classCount; t++)
        {
            for (int p = 0; p < classCount; p++)
            {
                long v = matrix[(t * classCount) + p];
                total += v;
                predicted[p] += v;
                support[t] += v;
            }
        }

        var classes = new ClassConfusion[classCount];
        for (int c = 0; c < classCount; c++)
        {
            long tp = matrix[(c * classCount) + c];
            long fp = predicted[c] - tp;
            long fn = support[c] - tp;
            classes[c] = new ClassConfusion(tp, fp, fn, total - tp - fp - fn);
        }

        return new ConfusionCounts(classes);
    }

    /// <summary>
    /// Per-image multilabel counts from binary (or one-hot) masks <c>[N,C,H,W]</c>: each channel is one class counted on
    /// its own, so a pixel may be positive in several classes (MONAI's <c>get_confusion_matrix</c> convention).
    /// </summary>
    /// <param name="predicted">Predicted masks <c>[N,C,H,W]</c>.</param>
    /// <param name="truth">Ground-truth masks <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="threshold">An element is positive when its value is at least this. Default: 0.5.</param>
    /// <returns>One <see cref="ConfusionCounts"/> per image, in batch order.</returns>
    /// <exception cref="ArgumentException">A length does not match <paramref name="shape"/>.</exception>
    public static ConfusionCounts[] FromMasks<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> truth, SegmentationShape shape, double threshold = 0.5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(predicted.Length, nameof(predicted));
        shape.ValidateScores(truth.Length, nameof(truth));
        T cut = T.CreateChecked(threshold);
        int s = shape.PixelsPerImage;
        var result = new ConfusionCounts[shape.Batch];
        for (int n = 0; n < shape.Batch; n++)
        {
            var classes = new ClassConfusion[shape.Classes];
            for (int c = 0; c < shape.Classes; c++)
            {
                int offset = ((n * shape.Classes) + c) * s;
                ReadOnlySpan<T> p = predicted.Slice(offset, s);
                ReadOnlySpan<T> y = truth.Slice(offset, s);
                long tp = 0, fp = 0, fn = 0;
                for (int i = 0; i < s; i++)
                {
                    bool pp = p[i] >= cut;
                    bool yy = y[i] >= cut;
                    tp += pp && yy ? 1 : 0;
                    fp += pp && !yy ? 1 : 0;
                    fn += !pp && yy ? 1 : 0;
                }

                classes[c] = new ClassConfusion(tp, fp, fn, s - tp - fp - fn);
            }

            result[n] = new ConfusionCounts(classes);
        }

        return result;
    }

    /// <summary>Adds counts class by class (for example the images of a dataset).</summary>
    /// <param name="counts">Counts with the same number of classes; at least one.</param>
    /// <returns>The class-wise sum.</returns>
    /// <exception cref="ArgumentException">The sequence is empty or the class counts differ.</exception>
    public static ConfusionCounts Sum(IEnumerable<ConfusionCounts> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ClassConfusion[]? sum = null;
        foreach (ConfusionCounts item in counts)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(counts));
            if (sum is null)
            {
                sum = (ClassConfusion[])item._classes.Clone();
                continue;
            }

            if (item.ClassCount != sum.Length)
            {
                throw new ArgumentException($"Cannot add counts of {item.ClassCount} classes to counts of {sum.Length} classes.", nameof(counts));
            }

            for (int c = 0; c < sum.Length; c++)
            {
                sum[c] += item._classes[c];
            }
        }

        return sum is null
            ? throw new ArgumentException("There are no counts to add; pass at least one.", nameof(counts))
            : new ConfusionCounts(sum);
    }

    /// <summary>The counts of the classes from <paramref name="firstClass"/> on, for example 1 to leave out the background.</summary>
    /// <param name="firstClass">The first class kept; must leave at least one class.</param>
    /// <returns>Counts of classes <c>firstClass..C−1</c>, renumbered from 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstClass"/> is negative or leaves no class.</exception>
    public ConfusionCounts FromClass(int firstClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(firstClass, ClassCount);
        return firstClass == 0 ? this : new ConfusionCounts(_classes[firstClass..]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ConfusionCounts[{ClassCount} classes, TP={TruePositives}, FP={FalsePositives}, FN={FalseNegatives}]";

    private long Sum(Func<ClassConfusion, long> selector)
    {
        long sum = 0;
        foreach (ClassConfusion k in _classes)
        {
            sum += selector(k);
        }

        return sum;
    }
}
