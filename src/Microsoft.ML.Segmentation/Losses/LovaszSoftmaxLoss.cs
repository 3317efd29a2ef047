using System;
using System.Buffers;
using System.Linq;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The Lovász-Softmax loss: a convex surrogate of the Jaccard (IoU) loss, averaged over classes, that optimizes
/// mean IoU directly. For each kept class c, with errors <c>e_j = |fg_j − p_j|</c> sorted decreasingly, the loss is
/// <c>Σ_i e_(i)·g_i</c>, the Lovász extension of the Jaccard loss (<see cref="LovaszExtension.JaccardWeights"/>).
/// </summary>
/// <remarks>
/// <para>Input: scores <c>[N,C,H,W]</c> as <see cref="LovaszSoftmaxLossOptions.Activation"/> says. Target: a label map
/// <c>[N,H,W]</c> (ignored pixels are dropped) or a dense <c>{0, 1}</c> target <c>[N,C,H,W]</c> (NaN drops a pixel from one class).</para>
/// <para>Value: the mean over kept classes of <c>w_c·Σ_i e_(i)·g_i</c>, over the whole batch or per image and then
/// averaged over images. Edge cases: no valid pixel, or no kept class, gives 0 with a zero gradient; with
/// <see cref="LovaszSoftmaxLossOptions.PerImage"/> such an image counts as 0 in the average (the reference would
/// return NaN or fail).</para>
/// <para>Gradient: <c>∂/∂p_j = sign(p_j − fg_j)·g_rank(j)</c>, chained through the activation. As in the reference the
/// sort order and g are constants (a subgradient at ties); ties are broken by pixel order, so results are deterministic.</para>
/// <para>Cost: one sort per (class, image or batch), by a stable radix sort on the error bits, in parallel over
/// classes and images; O(N·C·H·W) memory rented per call.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class LovaszSoftmaxLoss : ISegmentationLoss
{
    private readonly Activation _activation;
    private readonly LovaszClassSelection _classes;
    private readonly int[]? _classIndices;
    private readonly bool _perImage;
    private readonly double[]? _classWeights;

    /// <summary>Creates the loss with the default settings: softmax over logits, present classes, whole batch.</summary>
    public LovaszSoftmaxLoss()
        : this(new LovaszSoftmaxLossOptions())
    {
    }

    /// <summary>Creates the loss; the settings are copied, so later changes to <paramref name="options"/> have no effect.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range; the message says which and why.</exception>
    public LovaszSoftmaxLoss(LovaszSoftmaxLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentException($"Activation ({options.Activation}) is not a defined value; use Softmax, Sigmoid or None.", nameof(options));
        }

        if (!Enum.IsDefined(options.ClassSelection))
        {
            throw new ArgumentException($"ClassSelection ({options.ClassSelection}) is not a defined value; use Present or All.", nameof(options));
        }

        if (options.ClassIndices is { } indices)
        {
            int[] copy = indices.ToArray();
            if (copy.Length == 0)
            {
                throw new ArgumentException("ClassIndices is empty; list at least one class, or set it to null for all classes.", nameof(options));
            }

            if (copy.Any(c => c < 0))
            {
                throw new ArgumentException($"ClassIndices holds {copy.First(c => c < 0)}; class indices must be non-negative.", nameof(options));
            }

            if (copy.Distinct().Count() != copy.Length)
            {
                throw new ArgumentException($"ClassIndices [{string.Join(", ", copy)}] lists a class twice; list each class once.", nameof(options));
            }

            _classIndices = copy;
        }

        if (options.ClassWeights is { } weights)
        {
            double[] copy = weights.ToArray();
            int bad = Array.FindIndex(copy, w => !double.IsFinite(w) || w < 0);
            if (bad >= 0)
            {
                throw new ArgumentException($"ClassWeights[{bad}] ({copy[bad]}) must be finite and non-negative.", nameof(options));
            }

            _classWeights = copy;
        }

        _activation = options.Activation;
        _classes = options.ClassSelection;
        _perImage = options.PerImage;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal LovaszSoftmaxLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "lovasz_softmax";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Lengths do not match <paramref name="shape"/>, a label is out of range, the input
    /// is not finite (or not in [0, 1] with no activation), a dense target is not 0, 1 or NaN, a class index or the class
    /// weights do not fit C, or softmax is asked of one channel.</exception>
    public unsafe double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (!target.IsLabelMap)
        {
            LovaszValidation.ThrowIfNotBinary(target.Dense, nameof(target));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        ValidateAgainst(shape);
        if (_activation == Activation.None)
        {
            LovaszValidation.ThrowIfNotProbabilities(input, nameof(input));
        }

        int classes = shape.Classes;
        int groups = _perImage ? shape.Batch : 1;
        int imagesPerGroup = _perImage ? 1 : shape.Batch;
        int[] selected = _classIndices ?? Enumerable.Range(0, classes).ToArray();
        (int Group, int Class, double Scale)[] tasks = PlanTasks(shape, target, selected, groups, imagesPerGroup);
        if (!inputGradient.IsEmpty)
        {
            inputGradient.Clear();
        }

        T[]? rented = null;
        try
        {
            ReadOnlySpan<T> probabilities = input;
            if (_activation != Activation.None)
            {
                rented = ArrayPool<T>.Shared.Rent(shape.ElementCount);
                Span<T> buffer = rented.AsSpan(0, shape.ElementCount);
                ActivationKernels.Apply(_activation, input, shape, buffer);
                probabilities = buffer;
            }

            double[] sums = new double[tasks.Length];
            bool wide = LovaszKernel.IsWide<T>();
            fixed (T* pp = probabilities)
            fixed (T* gp = inputGradient)
            fixed (int* lp = target.Labels)
            fixed (T* dp = target.Dense)
            {
                var view = new LovaszTargetView<T>(target, lp, dp);
                var p = new NativeSpan<T>(pp, probabilities.Length);
                var g = new NativeSpan<T>(gp, inputGradient.Length);
                ParallelWork.For(tasks.Length, shape.ElementCount, t =>
                {
                    (int group, int c, double scale) = tasks[t];
                    int first = group * imagesPerGroup;
                    sums[t] = wide
                        ? ClassTerm<T, ulong>(p.Span, view, shape, first, imagesPerGroup, c, g.Span, scale)
                        : ClassTerm<T, uint>(p.Span, view, shape, first, imagesPerGroup, c, g.Span, scale);
                });
            }

            double loss = 0;
            for (int t = 0; t < tasks.Length; t++)
            {
                loss += sums[t] * tasks[t].Scale;
            }

            if (!inputGradient.IsEmpty)
            {
                ActivationKernels.Backward(_activation, probabilities, inputGradient, shape);
            }

            return loss;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    private static double ClassTerm<T, TKey>(Span<T> probabilities, LovaszTargetView<T> target, SegmentationShape shape,
        int firstImage, int imageCount, int c, Span<T> gradient, double scale)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        int s = shape.PixelsPerImage;
        using var scratch = new LovaszScratch<TKey>(imageCount * s);
        TKey[] keys = scratch.Keys;
        int[] items = scratch.Items;
        int count = 0;
        long foreground = 0;
        for (int n = firstImage; n < firstImage + imageCount; n++)
        {
            int offset = ((n * shape.Classes) + c) * s;
            for (int i = 0; i < s; i++)
            {
                int state = target.State(shape, n, c, i, offset + i);
                if (state < 0)
                {
                    continue;
                }

                T p = probabilities[offset + i];
                T error = state == 1 ? T.One - p : p;
                foreground += state;
                if (error > T.Zero)
                {
                    keys[count] = LovaszKernel.Encode<T, TKey>(error);
                    items[count] = (offset + i) | (state == 1 ? LovaszKernel.ForegroundBit : 0);
                    count++;
                }
            }
        }

        return LovaszKernel.SortAndAccumulate(scratch, count, foreground, gradient, scale);
    }

    private (int Group, int Class, double Scale)[] PlanTasks<T>(SegmentationShape shape, SegmentationTarget<T> target,
        int[] selected, int groups, int imagesPerGroup)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Foreground and valid pixel counts per (group, class) decide which classes a group keeps.
        int classes = shape.Classes;
        long[] foreground = new long[groups * classes];
        long[] valid = new long[groups];
        LovaszTargetView<T>.Count(target, shape, imagesPerGroup, foreground, valid);
        var tasks = new System.Collections.Generic.List<(int, int, double)>(groups * selected.Length);
        for (int group = 0; group < groups; group++)
        {
            if (valid[group] == 0)
            {
                continue;
            }

            int kept = 0;
            foreach (int c in selected)
            {
                kept += Keeps(foreground[(group * classes) + c]) ? 1 : 0;
            }

            foreach (int c in selected)
            {
                if (Keeps(foreground[(group * classes) + c]))
                {
                    double weight = _classWeights?[c] ?? 1.0;
                    tasks.Add((group, c, weight / ((double)kept * groups)));
                }
            }
        }

        return tasks.ToArray();
    }

    private bool Keeps(long foreground) => _classes == LovaszClassSelection.All || foreground > 0;

    private void ValidateAgainst(SegmentationShape shape)
    {
        if (_activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException(
                $"Softmax over the single channel of shape {shape} is always 1; use Activation.Sigmoid for a binary model.", nameof(shape));
        }

        if (_classIndices is not null)
        {
            int bad = Array.FindIndex(_classIndices, c => c >= shape.Classes);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"ClassIndices[{bad}] ({_classIndices[bad]}) must be below the channel count C ({shape.Classes}) of shape {shape}.", nameof(shape));
            }
        }

        if (_classWeights is not null && _classWeights.Length != shape.Classes)
        {
            throw new ArgumentException(
                $"ClassWeights has {_classWeights.Length} entries but shape {shape} has C = {shape.Classes} channels; give one weight per channel.", nameof(shape));
        }
    }
}
