using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
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
/// <para>Speed: each pixel's log p_t from cross-entropy's kernel run without a gradient, in the logits' precision (float
/// logits rank by float probabilities, as PyTorch's OHEM; <see cref="OhemPixelTerms{T}"/>); the threshold's rank by
/// selection, not a sort; the gradient from the same kernel with the pixels not kept ignored (see README
/// <i>OHEM cross-entropy</i> and <i>OHEM's terms from cross-entropy's kernel</i>).</para>
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
        double[] weights = Weights(shape);
        using var terms = new OhemPixelTerms<T>(shape.PixelCount, target.IgnoreIndex ?? int.MinValue);
        terms.Fill(input, shape, target.Labels, weights, Threshold);
        Select(terms, target.Labels, weights, shape.Batch);
        var kept = new bool[shape.PixelCount];
        ReadOnlySpan<int> map = terms.KeptLabels;
        for (int i = 0; i < kept.Length; i++)
        {
            kept[i] = map[i] != terms.NotKept;
        }

        return kept;
    }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(input, shape, target, inputGradient);
        double[] weights = Weights(shape);
        using var terms = new OhemPixelTerms<T>(shape.PixelCount, target.IgnoreIndex ?? int.MinValue);
        terms.Fill(input, shape, target.Labels, weights, Threshold);
        Select(terms, target.Labels, weights, shape.Batch);
        (double sum, double selected, double selectedWeight) = terms.KeptTotals(weights);
        double denominator = Averaging switch
        {
            OhemAveraging.Selected => selected,
            OhemAveraging.SelectedWeight => selectedWeight,
            OhemAveraging.AllPixels => shape.PixelCount,
            OhemAveraging.ValidPixels => terms.Valid,
            _ => 1,
        };
        if (!inputGradient.IsEmpty)
        {
            if (denominator > 0)
            {
                KeptGradient(input, shape, terms.KeptLabels, terms.NotKept, weights, denominator, inputGradient);
            }
            else
            {
                inputGradient.Clear();
            }
        }

        if (denominator > 0)
        {
            return sum / denominator;
        }

        return NaNWhenNoneSelected && terms.Valid > 0 ? double.NaN : 0;
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

        // Non-finite logits are found by the pass over them (OhemPixelTerms.Fill), not by a pass of their own.
    }

    private double[] Weights(SegmentationShape shape)
        => _classWeights ?? Enumerable.Repeat(1.0, shape.Classes).ToArray();

    /// <summary>mmseg's selection over the valid pixels of the whole batch, into <see cref="OhemPixelTerms{T}.KeptLabels"/>.</summary>
    private void Select<T>(OhemPixelTerms<T> terms, ReadOnlySpan<int> labels, double[] weights, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (terms.Valid == 0)
        {
            terms.KeepBelow(labels, double.NegativeInfinity);
            return;
        }

        long keep = MinKeptPerImage ? (long)MinKept * batch : MinKept;
        int ignore = terms.Ignore;
        ReadOnlySpan<double> probability = terms.Probability;
        if (Threshold is double threshold)
        {
            // Ascending target probability; the pixel at rank r = min(keep, n − 1) sets the floor of the threshold. More
            // than r probabilities below the threshold put that rank below it too, so the threshold is the cut; else the
            // rank's value is the (r − below)-th smallest of those at or above it, found by selection (a full sort of
            // every probability gave the same number in O(n log n)).
            int rank = (int)Math.Min(keep, terms.Valid - 1);
            double cut = threshold;
            if (terms.Below <= rank)
            {
                double[] atOrAbove = ArrayPool<double>.Shared.Rent(terms.Valid - terms.Below);
                try
                {
                    int j = 0;
                    for (int i = 0; i < labels.Length; i++)
                    {
                        if (labels[i] != ignore && !(probability[i] < threshold))
                        {
                            atOrAbove[j++] = probability[i];
                        }
                    }

                    cut = Math.Max(RankSelection.Smallest(atOrAbove.AsSpan(0, j), rank - terms.Below), threshold);
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(atOrAbove);
                }
            }

            terms.KeepBelow(labels, cut);
            return;
        }

        // The keep pixels of largest loss, ties to the earlier pixel: every loss above the keep-th largest, then those
        // equal to it in pixel order until keep are taken.
        Span<int> map = terms.KeptLabels;
        int take = (int)Math.Min(keep, terms.Valid);
        double[] negated = ArrayPool<double>.Shared.Rent(terms.Valid);
        try
        {
            int j = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] != ignore)
                {
                    negated[j++] = -terms.Loss(i, labels[i], weights);
                }
            }

            double boundary = -RankSelection.Smallest(negated.AsSpan(0, j), take - 1);
            int equalToTake = take;
            for (int i = 0; i < labels.Length; i++)
            {
                map[i] = labels[i] != ignore && terms.Loss(i, labels[i], weights) > boundary ? labels[i] : terms.NotKept;
                equalToTake -= map[i] != terms.NotKept ? 1 : 0;
            }

            for (int i = 0; i < labels.Length && equalToTake > 0; i++)
            {
                if (labels[i] != ignore && terms.Loss(i, labels[i], weights) == boundary)
                {
                    map[i] = labels[i];
                    equalToTake--;
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(negated);
        }
    }

    /// <summary>
    /// w_t·(p_c − [c = t])/<paramref name="denominator"/> for the kept pixels, 0 for the others: cross-entropy's own
    /// kernel (<see cref="CrossEntropyLabelVectorKernel"/> in float) on <paramref name="keptLabels"/>, where every pixel
    /// not kept is ignored, its denominator this loss's.
    /// </summary>
    private static void KeptGradient<T>(ReadOnlySpan<T> input, SegmentationShape shape, ReadOnlySpan<int> keptLabels, int notKept, double[] weights, double denominator, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CrossEntropyLabelKernel.DenominatorRule rule = (_, _, _) => denominator;
        if (typeof(T) == typeof(float) && CrossEntropyLabelVectorKernel.IsSupported)
        {
            CrossEntropyLabelVectorKernel.Run(MemoryMarshal.Cast<T, float>(input), shape, keptLabels, notKept, weights, 0, MemoryMarshal.Cast<T, float>(gradient), rule);
        }
        else
        {
            CrossEntropyLabelKernel.Run(input, shape, keptLabels, notKept, weights, 0, gradient, rule);
        }
    }
}
