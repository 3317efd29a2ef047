using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The binary Lovász hinge loss: a convex surrogate of the foreground Jaccard (IoU) loss for logits. With labels
/// <c>y ∈ {0, 1}</c>, signs <c>s = 2y − 1</c> and margin errors <c>e_j = 1 − x_j·s_j</c> sorted decreasingly, the loss is
/// <c>Σ_i relu(e_(i))·g_i</c>, the Lovász extension of the Jaccard loss (<see cref="LovaszExtension.JaccardWeights"/>).
/// </summary>
/// <remarks>
/// <para>Input: logits <c>[N,C,H,W]</c>. Target: a label map <c>[N,H,W]</c> of 0 and 1 when C = 1 (ignored pixels are
/// dropped), or a dense <c>{0, 1}</c> target <c>[N,C,H,W]</c> (NaN drops an element); with C &gt; 1 (multilabel) all
/// channels of an image form one hinge problem, as in smp.</para>
/// <para>Value: per image and averaged over the batch (<see cref="LovaszHingeLossOptions.PerImage"/>, the reference
/// default) or once over the whole batch (smp's default). No valid pixel gives 0 with a zero gradient; with per-image
/// reduction such an image counts as 0 in the average.</para>
/// <para>Gradient: <c>∂/∂x_j = −s_j·g_rank(j)</c> where <c>e_j &gt; 0</c>, else 0; the sort order and g are constants
/// (a subgradient at ties), ties broken by pixel order.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class LovaszHingeLoss : ISegmentationLoss
{
    private readonly bool _perImage;

    /// <summary>Creates the loss with the default settings (per image, as the reference).</summary>
    public LovaszHingeLoss()
        : this(new LovaszHingeLossOptions())
    {
    }

    /// <summary>Creates the loss; the settings are copied.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public LovaszHingeLoss(LovaszHingeLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _perImage = options.PerImage;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal LovaszHingeLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "lovasz_hinge";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Lengths do not match <paramref name="shape"/>, a label is not 0, 1 or the ignore
    /// index, a label map comes with more than one channel, a dense target is not 0, 1 or NaN, or the input is not finite.</exception>
    public unsafe double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        if (target.IsLabelMap && shape.Classes != 1)
        {
            throw new ArgumentException(
                $"A label map needs one logit channel, but shape {shape} has C = {shape.Classes}; pass [N,1,H,W] logits, or a dense [N,C,H,W] target for multilabel.",
                nameof(target));
        }

        target.Validate(shape, nameof(target));
        if (!target.IsLabelMap)
        {
            LovaszValidation.ThrowIfNotBinary(target.Dense, nameof(target));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        if (!inputGradient.IsEmpty)
        {
            inputGradient.Clear();
        }

        int groups = _perImage ? shape.Batch : 1;
        int imagesPerGroup = _perImage ? 1 : shape.Batch;
        double scale = 1.0 / groups;
        double[] sums = new double[groups];
        fixed (T* xp = input)
        fixed (T* gp = inputGradient)
        fixed (int* lp = target.Labels)
        fixed (T* dp = target.Dense)
        {
            var view = new LovaszTargetView<T>(target, lp, dp);
            var x = new NativeSpan<T>(xp, input.Length);
            var g = new NativeSpan<T>(gp, inputGradient.Length);
            bool wide = LovaszKernel.IsWide<T>();
            ParallelWork.For(groups, shape.ElementCount, group =>
                sums[group] = wide
                    ? GroupTerm<T, ulong>(x.Span, view, shape, group * imagesPerGroup, imagesPerGroup, g.Span, scale)
                    : GroupTerm<T, uint>(x.Span, view, shape, group * imagesPerGroup, imagesPerGroup, g.Span, scale));
        }

        double loss = 0;
        foreach (double sum in sums)
        {
            loss += sum * scale;
        }

        return loss;
    }

    private static double GroupTerm<T, TKey>(Span<T> logits, LovaszTargetView<T> target, SegmentationShape shape,
        int firstImage, int imageCount, Span<T> gradient, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        int s = shape.PixelsPerImage;
        int classes = shape.Classes;
        using var scratch = new LovaszScratch<TKey>(imageCount * classes * s);
        TKey[] keys = scratch.Keys;
        int[] items = scratch.Items;
        int count = 0;
        long foreground = 0;
        for (int n = firstImage; n < firstImage + imageCount; n++)
        {
            for (int c = 0; c < classes; c++)
            {
                int offset = ((n * classes) + c) * s;
                for (int i = 0; i < s; i++)
                {
                    // e = 1 − x·s with s = +1 for foreground and −1 for background. Every pixel is written at the
                    // next slot and kept by moving on (valid and e > 0) or not: the branch it replaces went either
                    // way at random on real logits and took half the kernel's time in mispredictions (a profile).
                    // (The sign and the bits come from the state by arithmetic, and an ignored pixel's, −1, are
                    // never kept.) The keep flag too: written as (state >= 0) & (error > 0) ? 1 : 0, the JIT
                    // compiled it to a branch that mispredicted on a quarter of the pixels (random logits: 1 − x·s
                    // > 0 for about three in four); the sign bit of ~state and one setcc took a probe's fill of a
                    // 256² image from 279 to 158 µs.
                    int state = target.StateWithoutBranches(shape, n, c, i, offset + i);
                    T error = T.One - (logits[offset + i] * T.CreateTruncating((2 * state) - 1));
                    keys[count] = LovaszKernel.Encode<T, TKey>(error);
                    items[count] = (offset + i) | ((state & 1) << 31);
                    foreground += state + ((state >> 31) & 1);
                    count += (int)((uint)~state >> 31) & (error > T.Zero ? 1 : 0);
                }
            }
        }

        return LovaszKernel.SortAndAccumulateInterleaved(scratch, count, foreground, gradient, scale);
    }
}
