using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Softmax cross-entropy over the hard pixels only (online hard example mining), as mmseg's <c>OhemCrossEntropy</c>
/// and its decode heads with <c>OHEMPixelSampler</c>: the valid pixels are ranked by the probability of their target
/// class, and those below max(<see cref="OhemCrossEntropyLossOptions.Threshold"/>, the probability of the
/// <see cref="OhemCrossEntropyLossOptions.MinKept"/>-th least confident) are kept; without a threshold the
/// <c>MinKept</c> pixels of largest cross-entropy are kept.
/// </summary>
/// <remarks>
/// <para>A pixel's loss is w_t·(−log softmax(x)_t) with w the class weights. The selection is recomputed on every call
/// and is a constant of the gradient, as PyTorch's autograd treats the sort and the mask: for a kept pixel
/// ∂/∂x_c = w_t·(p_c − [c = t]) / denominator, and 0 for the others. Ties in the ranking are broken by pixel order.</para>
/// <para>Targets: label maps only (the ignore index marks pixels that are never kept).</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> is thread-safe.</para>
/// </remarks>
public sealed class OhemCrossEntropyLoss : ISegmentationLoss
{
    private readonly double[]? _classWeights;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (mmseg <c>OhemCrossEntropy</c>'s).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A class weight is negative or not finite.</exception>
    public OhemCrossEntropyLoss(OhemCrossEntropyLossOptions? options = null)
    {
        options ??= new OhemCrossEntropyLossOptions();
        if (options.Threshold is double threshold && !(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException("options.Threshold", threshold, "Threshold must lie in [0, 1] (a probability), or be null to rank by loss.");
        }

        if (options.MinKept < 1)
        {
            throw new ArgumentOutOfRangeException("options.MinKept", options.MinKept, "MinKept must be at least 1.");
        }

        if (!Enum.IsDefined(options.Averaging))
        {
            throw new ArgumentOutOfRangeException("options.Averaging", options.Averaging, "Unknown averaging.");
        }

        if (options.ClassWeights is { } w && w.Any(v => !(v >= 0) || double.IsInfinity(v)))
        {
            throw new ArgumentException("Every class weight must be finite and ≥ 0.", "options.ClassWeights");
        }

        _classWeights = options.ClassWeights?.ToArray();
        Threshold = options.Threshold;
        MinKept = options.MinKept;
        MinKeptPerImage = options.MinKeptPerImage;
        Averaging = options.Averaging;
        NaNWhenNoneSelected = options.NaNWhenNoneSelected;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal OhemCrossEntropyLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "ohem_cross_entropy";

    /// <summary>The probability threshold, or <see langword="null"/> to rank by loss.</summary>
    public double? Threshold { get; }

    /// <summary>The number of pixels always kept (per image when <see cref="MinKeptPerImage"/>).</summary>
    public int MinKept { get; }

    /// <summary>Whether <see cref="MinKept"/> counts per image.</summary>
    public bool MinKeptPerImage { get; }

    /// <summary>What the summed loss of the kept pixels is divided by.</summary>
    public OhemAveraging Averaging { get; }

    /// <summary>Whether a zero denominator with valid pixels gives NaN (mmseg) rather than 0.</summary>
    public bool NaNWhenNoneSelected { get; }

    /// <summary>The class weights, or <see langword="null"/> for none.</summary>
    public IReadOnlyList<double>? ClassWeights => _classWeights;

    /// <summary>Which pixels the loss keeps, <c>[N, H, W]</c> (mmseg's <c>seg_weight</c> as booleans).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Logits <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">A label map.</param>
    /// <returns>One flag per pixel.</returns>
    /// <exception cref="ArgumentException">Lengths do not match, a label is out of range, the target is dense, or the input is not finite.</exception>
    public bool[] SelectHardPixels<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(input, shape, target, default);
        (double[] loss, double[] probability) = PixelTerms(input, shape, target.Labels, Weights(shape), target.IgnoreIndex ?? int.MinValue);
        return Select(loss, probability, target.Labels, target.IgnoreIndex ?? int.MinValue, shape.Batch);
    }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(input, shape, target, inputGradient);
        int ignore = target.IgnoreIndex ?? int.MinValue;
        ReadOnlySpan<int> labels = target.Labels;
        double[] weights = Weights(shape);
        (double[] loss, double[] probability) = PixelTerms(input, shape, labels, weights, ignore);
        bool[] kept = Select(loss, probability, labels, ignore, shape.Batch);

        double sum = 0, selected = 0, selectedWeight = 0, valid = 0;
        for (int i = 0; i < kept.Length; i++)
        {
            valid += labels[i] != ignore ? 1 : 0;
            if (kept[i])
            {
                sum += loss[i];
                selected++;
                selectedWeight += weights[labels[i]];
            }
        }

        double denominator = Averaging switch
        {
            OhemAveraging.Selected => selected,
            OhemAveraging.SelectedWeight => selectedWeight,
            OhemAveraging.AllPixels => shape.PixelCount,
            OhemAveraging.ValidPixels => valid,
            _ => 1,
        };
        if (!inputGradient.IsEmpty)
        {
            Gradient(input, shape, labels, weights, kept, denominator > 0 ? 1 / denominator : 0, inputGradient);
        }

        if (denominator > 0)
        {
            return sum / denominator;
        }

        return NaNWhenNoneSelected && valid > 0 ? double.NaN : 0;
    }

    private void Validate<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        if (!target.IsLabelMap)
        {
            throw new ArgumentException("The OHEM cross-entropy ranks pixels by their target class: give a label map, not a dense target.", nameof(target));
        }

        target.Validate(shape, nameof(target));
        if (shape.Classes < 2)
        {
            throw new ArgumentException("Cross-entropy over one channel is always 0; the OHEM cross-entropy needs at least two classes.", nameof(input));
        }

        if (_classWeights is not null && _classWeights.Length != shape.Classes)
        {
            throw new ArgumentException($"ClassWeights has {_classWeights.Length} entries but the input has {shape.Classes} classes.", "options.ClassWeights");
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
    }

    private double[] Weights(SegmentationShape shape)
        => _classWeights ?? Enumerable.Repeat(1.0, shape.Classes).ToArray();

    /// <summary>Per pixel: the weighted cross-entropy w_t·(−log p_t) and the target probability p_t (0 and 1 where ignored).</summary>
    private static (double[] Loss, double[] Probability) PixelTerms<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<int> labels, double[] weights, int ignore)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage, c = shape.Classes;
        var loss = new double[shape.PixelCount];
        var probability = new double[shape.PixelCount];
        for (int n = 0; n < shape.Batch; n++)
        {
            int image = n * c * s;
            for (int i = 0; i < s; i++)
            {
                int label = labels[(n * s) + i];
                if (label == ignore)
                {
                    probability[(n * s) + i] = 1;
                    continue;
                }

                double logSumExp = LogSumExp(input, image + i, s, c);
                double logp = double.CreateTruncating(input[image + (label * s) + i]) - logSumExp;
                loss[(n * s) + i] = -weights[label] * logp;
                probability[(n * s) + i] = Math.Exp(logp);
            }
        }

        return (loss, probability);
    }

    private static double LogSumExp<T>(ReadOnlySpan<T> input, int first, int stride, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < classes; k++)
        {
            max = Math.Max(max, double.CreateTruncating(input[first + (k * stride)]));
        }

        double sum = 0;
        for (int k = 0; k < classes; k++)
        {
            sum += Math.Exp(double.CreateTruncating(input[first + (k * stride)]) - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>mmseg's selection over the valid pixels of the whole batch.</summary>
    private bool[] Select(double[] loss, double[] probability, ReadOnlySpan<int> labels, int ignore, int batch)
    {
        var kept = new bool[labels.Length];
        var valid = new List<int>(labels.Length);
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != ignore)
            {
                valid.Add(i);
            }
        }

        if (valid.Count == 0)
        {
            return kept;
        }

        long keep = MinKeptPerImage ? (long)MinKept * batch : MinKept;
        if (Threshold is double threshold)
        {
            // Ascending target probability; the pixel at rank min(keep, n − 1) sets the floor of the threshold.
            double[] sorted = new double[valid.Count];
            for (int j = 0; j < sorted.Length; j++)
            {
                sorted[j] = probability[valid[j]];
            }

            Array.Sort(sorted);
            double cut = Math.Max(sorted[(int)Math.Min(keep, sorted.Length - 1)], threshold);
            foreach (int i in valid)
            {
                kept[i] = probability[i] < cut;
            }
        }
        else
        {
            // The keep pixels of largest loss; ties go to the earlier pixel.
            int[] order = valid.ToArray();
            Array.Sort(order, (a, b) => loss[a] != loss[b] ? loss[b].CompareTo(loss[a]) : a.CompareTo(b));
            for (int j = 0; j < Math.Min(keep, order.Length); j++)
            {
                kept[order[j]] = true;
            }
        }

        return kept;
    }

    private static void Gradient<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<int> labels, double[] weights, bool[] kept, double scale, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage, c = shape.Classes;
        gradient.Clear();
        for (int n = 0; n < shape.Batch; n++)
        {
            int image = n * c * s;
            for (int i = 0; i < s; i++)
            {
                int pixel = (n * s) + i;
                if (!kept[pixel] || scale == 0)
                {
                    continue;
                }

                int label = labels[pixel];
                double logSumExp = LogSumExp(input, image + i, s, c);
                double factor = weights[label] * scale;
                for (int k = 0; k < c; k++)
                {
                    double p = Math.Exp(double.CreateTruncating(input[image + (k * s) + i]) - logSumExp);
                    gradient[image + (k * s) + i] = T.CreateTruncating(factor * (p - (k == label ? 1 : 0)));
                }
            }
        }
    }
}
