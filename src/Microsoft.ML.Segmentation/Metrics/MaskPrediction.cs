using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Turns model scores into predicted masks: <see cref="Argmax{T}"/> over the channels of exclusive classes, and
/// <see cref="Threshold{T}(ReadOnlySpan{T}, T, Span{int}, bool)"/> for binary and multilabel models.
/// </summary>
/// <remarks>
/// Argmax runs along contiguous pixel rows of each channel (NCHW), comparing row k with the running maximum a vector
/// at a time, so it vectorizes across pixels. Ties go to the lowest class index, as <c>torch.argmax</c> and
/// <c>numpy.argmax</c> do. NaN scores never win a comparison (a NaN channel is never chosen over a number).
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class MaskPrediction
{
    private const int ChunkPixels = 1024;

    /// <summary>Writes, for each pixel, the channel with the largest score.</summary>
    /// <param name="scores">Scores <c>[N,C,H,W]</c> (logits or probabilities: argmax is the same).</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="labels">Destination <c>[N,H,W]</c>: class indices in <c>0..C−1</c>.</param>
    /// <exception cref="ArgumentException">A length does not match <paramref name="shape"/>.</exception>
    public static unsafe void Argmax<T>(ReadOnlySpan<T> scores, SegmentationShape shape, Span<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(scores.Length, nameof(scores));
        shape.ValidateLabels(labels.Length, nameof(labels));
        fixed (T* sp = scores)
        fixed (int* lp = labels)
        {
            var x = new NativeSpan<T>(sp, scores.Length);
            var y = new NativeSpan<int>(lp, labels.Length);
            int chunks = (shape.PixelsPerImage + ChunkPixels - 1) / ChunkPixels;
            ParallelWork.For(shape.Batch * chunks, shape.ElementCount, item =>
            {
                int n = item / chunks;
                int start = (item % chunks) * ChunkPixels;
                int length = Math.Min(ChunkPixels, shape.PixelsPerImage - start);
                ArgmaxChunk(x.Span, shape, n, start, y.Slice((n * shape.PixelsPerImage) + start, length));
            });
        }
    }

    /// <summary>
    /// The one scores-to-labels step of SegML: the argmax over channels, or for one channel the foreground test
    /// against <paramref name="threshold"/> as <see cref="ForegroundThreshold"/> defines it (a probability, turned
    /// into a logit once when the scores are logits).
    /// </summary>
    /// <param name="scores">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">Their shape.</param>
    /// <param name="threshold">The foreground probability of a one-channel model, in (0, 1); unused for several channels.</param>
    /// <param name="scoresAreProbabilities">The scores are probabilities rather than logits (only matters for one channel).</param>
    /// <param name="labels">Destination <c>[N,H,W]</c>: class indices.</param>
    /// <exception cref="ArgumentException">A length does not match <paramref name="shape"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">One channel and <paramref name="threshold"/> is not in (0, 1).</exception>
    public static void PredictLabels(ReadOnlySpan<float> scores, SegmentationShape shape, float threshold, bool scoresAreProbabilities, Span<int> labels)
    {
        if (shape.Classes != 1)
        {
            Argmax(scores, shape, labels);
            return;
        }

        shape.ValidateScores(scores.Length, nameof(scores));
        shape.ValidateLabels(labels.Length, nameof(labels));
        Threshold(scores, ForegroundThreshold.ScoreCut(threshold, scoresAreProbabilities), labels);
    }

    /// <summary>Binarizes scores: 1 where the score is above <paramref name="threshold"/> (or equal, when inclusive), else 0.</summary>
    /// <param name="scores">Scores of any layout (probabilities, or logits with threshold 0).</param>
    /// <param name="threshold">The cut.</param>
    /// <param name="destination">0/1 per element; the same length as <paramref name="scores"/>.</param>
    /// <param name="inclusive">Whether a score equal to the threshold is positive (smp and MONAI use <c>≥</c>, torch and torchmetrics <c>&gt;</c>). Default: false.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Threshold<T>(ReadOnlySpan<T> scores, T threshold, Span<int> destination, bool inclusive = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MetricsThrowHelper.ThrowIfLengthsDiffer(scores.Length, destination.Length, nameof(destination));
        for (int i = 0; i < scores.Length; i++)
        {
            T s = scores[i];
            destination[i] = s > threshold || (inclusive && s == threshold) ? 1 : 0;
        }
    }

    /// <summary>Binarizes scores into bytes: 1 where the score is above <paramref name="threshold"/> (or equal, when inclusive), else 0.</summary>
    /// <param name="scores">Scores of any layout.</param>
    /// <param name="threshold">The cut.</param>
    /// <param name="destination">0/1 per element; the same length as <paramref name="scores"/>.</param>
    /// <param name="inclusive">Whether a score equal to the threshold is positive. Default: false.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Threshold<T>(ReadOnlySpan<T> scores, T threshold, Span<byte> destination, bool inclusive = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MetricsThrowHelper.ThrowIfLengthsDiffer(scores.Length, destination.Length, nameof(destination));
        for (int i = 0; i < scores.Length; i++)
        {
            T s = scores[i];
            destination[i] = (byte)(s > threshold || (inclusive && s == threshold) ? 1 : 0);
        }
    }

    /// <summary>Scalar reference of <see cref="Argmax{T}"/>, kept for tests.</summary>
    internal static void ArgmaxScalar<T>(ReadOnlySpan<T> scores, SegmentationShape shape, Span<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        for (int n = 0; n < shape.Batch; n++)
        {
            for (int i = 0; i < s; i++)
            {
                int best = 0;
                T max = scores[(n * shape.Classes * s) + i];
                for (int c = 1; c < shape.Classes; c++)
                {
                    T v = scores[(((n * shape.Classes) + c) * s) + i];
                    if (v > max || (T.IsNaN(max) && !T.IsNaN(v)))
                    {
                        max = v;
                        best = c;
                    }
                }

                labels[(n * s) + i] = best;
            }
        }
    }

    private static void ArgmaxChunk<T>(ReadOnlySpan<T> scores, SegmentationShape shape, int n, int start, Span<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int length = labels.Length;
        int image = n * shape.Classes * s;
        Span<T> max = stackalloc T[length];
        Span<T> best = stackalloc T[length];
        scores.Slice(image + start, length).CopyTo(max);
        best.Clear();
        int vectorEnd = Vector.IsHardwareAccelerated && Vector<T>.IsSupported ? length - (length % Vector<T>.Count) : 0;
        Span<Vector<T>> maxVectors = MemoryMarshal.Cast<T, Vector<T>>(max[..vectorEnd]);
        Span<Vector<T>> bestVectors = MemoryMarshal.Cast<T, Vector<T>>(best[..vectorEnd]);
        for (int c = 1; c < shape.Classes; c++)
        {
            ReadOnlySpan<T> row = scores.Slice(image + (c * s) + start, length);
            ReadOnlySpan<Vector<T>> rowVectors = MemoryMarshal.Cast<T, Vector<T>>(row[..vectorEnd]);
            var classVector = new Vector<T>(T.CreateTruncating(c));
            for (int v = 0; v < rowVectors.Length; v++)
            {
                Vector<T> candidate = rowVectors[v];
                Vector<T> current = maxVectors[v];

                // Wins when strictly greater, or when the running maximum is NaN and the candidate is a number.
                Vector<T> wins = Vector.GreaterThan(candidate, current)
                    | (Vector.OnesComplement(Vector.Equals(current, current)) & Vector.Equals(candidate, candidate));
                maxVectors[v] = Vector.ConditionalSelect(wins, candidate, current);
                bestVectors[v] = Vector.ConditionalSelect(wins, classVector, bestVectors[v]);
            }

            for (int i = vectorEnd; i < length; i++)
            {
                T value = row[i];
                if (value > max[i] || (T.IsNaN(max[i]) && !T.IsNaN(value)))
                {
                    max[i] = value;
                    best[i] = T.CreateTruncating(c);
                }
            }
        }

        for (int i = 0; i < length; i++)
        {
            labels[i] = int.CreateTruncating(best[i]);
        }
    }
}
