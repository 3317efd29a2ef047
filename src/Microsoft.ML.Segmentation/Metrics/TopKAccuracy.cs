using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Top-k pixel accuracy straight from scores: a pixel is a hit when its true class is among the k highest-scoring
/// channels (and, optionally, its score exceeds a threshold). mmseg's <c>Accuracy</c> is 100 · hits / valid.
/// </summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
public static class TopKAccuracy
{
    /// <summary>Counts the hits and the counted (not ignored) pixels.</summary>
    /// <param name="scores">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="labels">True classes <c>[N,H,W]</c>, in <c>0..C−1</c> or <paramref name="ignoreIndex"/>.</param>
    /// <param name="k">How many top channels count as a hit. Default: 1; range 1..C.</param>
    /// <param name="threshold">If set, a hit also needs the true class's score to be above it. Default: null.</param>
    /// <param name="ignoreIndex">Label of pixels that are not counted; may be a class number. Default: null.</param>
    /// <returns>The hits and the number of counted pixels. Tied scores rank the lower class first.</returns>
    /// <exception cref="ArgumentException">A length does not match, or a label is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside 1..C.</exception>
    public static (long Hits, long Counted) Count<T>(
        ReadOnlySpan<T> scores, SegmentationShape shape, ReadOnlySpan<int> labels, int k = 1, double? threshold = null, int? ignoreIndex = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(scores.Length, nameof(scores));
        shape.ValidateLabels(labels.Length, nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, shape.Classes);
        int s = shape.PixelsPerImage;
        int classes = shape.Classes;
        long hits = 0, counted = 0;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = labels[(n * s) + i];
                if (ignoreIndex == label)
                {
                    continue;
                }

                if ((uint)label >= (uint)classes)
                {
                    MetricsThrowHelper.ThrowTruthOutOfRange(nameof(labels), (n * s) + i, label, classes, ignoreIndex);
                }

                counted++;
                int image = n * classes * s;
                T own = scores[image + (label * s) + i];
                int rank = 0;
                for (int c = 0; c < classes && rank < k; c++)
                {
                    T v = scores[image + (c * s) + i];
                    if (v > own || (v == own && c < label))
                    {
                        rank++;
                    }
                }

                if (rank < k && (threshold is not double t || double.CreateTruncating(own) > t))
                {
                    hits++;
                }
            }
        }

        return (hits, counted);
    }
}
