using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// torchmetrics' top-label calibration error, built by <see cref="Torchmetrics.BinaryCalibrationError"/> or
/// <see cref="Torchmetrics.MulticlassCalibrationError"/>: <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{int}, SegmentationShape)"/>
/// returns what the metric's <c>compute()</c> returns after one <c>update(preds, target)</c>.
/// </summary>
/// <remarks>
/// Entries whose target is <see cref="IgnoreIndex"/> are dropped first; then, if any remaining score lies outside
/// [0, 1], the scores are logits and go through a sigmoid (binary) or a softmax over the classes (multiclass). Binary:
/// confidence = the score, accuracy = the target. Multiclass: confidence = the largest probability, accuracy = whether
/// its class is the target. Bins: edges <c>linspace(0, 1, nBins + 1)</c> in the scores' dtype (float32 for the float
/// overload, double for the double one: torchmetrics issue #1907), [l, r) bins, and a confidence of exactly 1 in a bin
/// of its own. The norms: l1 = Σ gap·count/N, l2 = √(Σ gap²·count/N), max = the largest gap (empty bins count 0).
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed class TorchmetricsCalibrationError
{
    internal TorchmetricsCalibrationError(string name, int? numClasses, int nBins, CalibrationReduction norm, int? ignoreIndex)
    {
        Name = name;
        NumClasses = numClasses;
        NBins = nBins;
        Norm = norm;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The torchmetrics class this reproduces: "BinaryCalibrationError" or "MulticlassCalibrationError".</summary>
    public string Name { get; }

    /// <summary>torchmetrics' <c>num_classes</c>; null for the binary metric.</summary>
    public int? NumClasses { get; }

    /// <summary>torchmetrics' <c>n_bins</c>.</summary>
    public int NBins { get; }

    /// <summary>torchmetrics' <c>norm</c>: l1 (<see cref="CalibrationReduction.Expected"/>), l2 (<see cref="CalibrationReduction.RootMeanSquare"/>) or max (<see cref="CalibrationReduction.Maximum"/>).</summary>
    public CalibrationReduction Norm { get; }

    /// <summary>torchmetrics' <c>ignore_index</c>, or null.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>The binning torchmetrics uses for scores of this precision.</summary>
    /// <param name="float32">Whether the scores are float32 (edges rounded to float32), else double.</param>
    /// <returns>The binning.</returns>
    public CalibrationBinning Binning(bool float32)
        => new(CalibrationBinning.Linspace(0, 1, NBins + 1, float32), valueOnEdgeGoesUp: true, separateTopBin: true);

    /// <summary>The calibration error of float32 scores.</summary>
    /// <param name="preds">Binary: one score per entry. Multiclass: scores [N, C, spatial…] row-major over <paramref name="shape"/>.</param>
    /// <param name="target">The label of each entry (binary: 0 or 1).</param>
    /// <param name="shape">Multiclass: [N, C, H, W] (a flat [N, C] is [N, C, 1, 1]). Binary: [N, 1, H, W] or any shape with <c>preds.Length</c> elements.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentException">The lengths do not match, the classes differ from <see cref="NumClasses"/>, a binary target is not 0 or 1, or a score is NaN.</exception>
    public double Compute(ReadOnlySpan<float> preds, ReadOnlySpan<int> target, SegmentationShape shape) => Compute<float>(preds, target, shape, float32: true);

    /// <summary>The calibration error of double scores (edges in double, as torchmetrics builds them in the scores' dtype).</summary>
    /// <param name="preds">As the float overload.</param>
    /// <param name="target">The label of each entry.</param>
    /// <param name="shape">As the float overload.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentException">As the float overload.</exception>
    public double Compute(ReadOnlySpan<double> preds, ReadOnlySpan<int> target, SegmentationShape shape) => Compute<double>(preds, target, shape, float32: false);

    private double Compute<T>(ReadOnlySpan<T> preds, ReadOnlySpan<int> target, SegmentationShape shape, bool float32)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int channels = NumClasses is null ? 1 : shape.Classes;
        if (NumClasses is int k && k != shape.Classes)
        {
            throw new ArgumentException($"numClasses is {k} but the scores have {shape.Classes} channels.", nameof(shape));
        }

        if (preds.Length != shape.ElementCount || target.Length * channels != preds.Length)
        {
            throw new ArgumentException($"{preds.Length} scores and {target.Length} targets do not fit {shape} with {channels} channel(s).", nameof(preds));
        }

        // The entries that count, channel-major per image as the accumulator reads them: [c·P + i] over all kept pixels.
        int pixels = shape.PixelsPerImage * (NumClasses is null ? shape.Classes : 1);
        int images = shape.Batch;
        int kept = 0;
        for (int i = 0; i < target.Length; i++)
        {
            kept += IgnoreIndex == target[i] ? 0 : 1;
        }

        var scores = new T[kept * channels];
        var labels = new int[kept];
        int n = 0;
        for (int b = 0; b < images; b++)
        {
            for (int i = 0; i < pixels; i++)
            {
                int t = target[(b * pixels) + i];
                if (IgnoreIndex == t)
                {
                    continue;
                }

                if (NumClasses is null && t is not (0 or 1))
                {
                    throw new ArgumentException($"A binary target must be 0 or 1; entry {(b * pixels) + i} is {t}.", nameof(target));
                }

                labels[n] = t;
                for (int c = 0; c < channels; c++)
                {
                    scores[(c * kept) + n] = preds[(((b * channels) + c) * pixels) + i];
                }

                n++;
            }
        }

        bool logits = false;
        foreach (T s in scores)
        {
            logits |= s < T.Zero || s > T.One;
        }

        if (logits)
        {
            Activate(scores, kept, channels);
        }

        var accumulator = new CalibrationAccumulator(Binning(float32), 1);
        if (NumClasses is null)
        {
            for (int i = 0; i < kept; i++)
            {
                accumulator.Add(0, double.CreateTruncating(scores[i]), labels[i]);
            }
        }
        else
        {
            accumulator.AddTopLabel<T>(scores, labels);
        }

        double error = accumulator.Error(0, Norm);
        // torchmetrics: every bin empty (no entry left) gives 0 for l1 and max, and l2's sqrt guard gives 0 as well.
        return double.IsNaN(error) ? 0 : error;
    }

    private static void Activate<T>(T[] scores, int pixels, int channels)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (channels == 1)
        {
            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = T.CreateTruncating(1 / (1 + Math.Exp(-double.CreateTruncating(scores[i]))));
            }

            return;
        }

        for (int i = 0; i < pixels; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < channels; c++)
            {
                max = Math.Max(max, double.CreateTruncating(scores[(c * pixels) + i]));
            }

            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += Math.Exp(double.CreateTruncating(scores[(c * pixels) + i]) - max);
            }

            for (int c = 0; c < channels; c++)
            {
                scores[(c * pixels) + i] = T.CreateTruncating(Math.Exp(double.CreateTruncating(scores[(c * pixels) + i]) - max) / sum);
            }
        }
    }
}
