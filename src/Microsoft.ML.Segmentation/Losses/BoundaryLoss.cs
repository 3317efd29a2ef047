using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Kervadec et al.'s boundary loss (2019, "Boundary loss for highly unbalanced segmentation"; the reference code's
/// <c>SurfaceLoss</c>): the mean over images, kept classes and pixels of p · φ_G, with φ_G the signed distance map of
/// the ground truth's class (<see cref="SignedDistanceMap"/>: positive outside the class, 0 on its inner border,
/// negative inside).
/// </summary>
/// <remarks>
/// <para>The loss is smallest when probability mass sits inside the true regions and is lowest-cost far inside; on its
/// own it can be minimised by predicting nothing near any boundary, so use it beside a region loss (Dice or
/// generalized Dice) with a weight α raised over training, as the paper does (α from 0.01 upward).</para>
/// <para>φ_G depends on the target only, so the gradient is exact: ∂loss/∂p = φ_G / count, chained through the activation.</para>
/// <para>Targets: a label map (a class's mask is its label) or a dense target (inside where the value is &gt; 0.5). Ignored
/// pixels are outside every class for the maps, and add nothing to the sum or to the count.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class BoundaryLoss : ISegmentationLoss
{
    private readonly int[]? _classIndices;
    private readonly double[] _spacing;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="BoundaryLossOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="BoundaryLossOptions.Spacing"/> does not have two entries, or a class index repeats.</exception>
    public BoundaryLoss(BoundaryLossOptions? options = null)
    {
        options ??= new BoundaryLossOptions();
        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "Unknown activation.");
        }

        if (!Enum.IsDefined(options.FullClass))
        {
            throw new ArgumentOutOfRangeException("options.FullClass", options.FullClass, "Unknown full-class distance.");
        }

        if (options.ClassIndices is { } indices)
        {
            if (indices.Count == 0 || indices.Any(k => k < 0) || indices.Distinct().Count() != indices.Count)
            {
                throw new ArgumentException($"ClassIndices [{string.Join(", ", indices)}] must list distinct channels ≥ 0, at least one.", "options.ClassIndices");
            }

            _classIndices = indices.ToArray();
        }

        if (options.Spacing is { } spacing)
        {
            if (spacing.Count != 2)
            {
                throw new ArgumentException($"Spacing has {spacing.Count} entries; give [row spacing, column spacing].", "options.Spacing");
            }

            if (spacing.Any(d => !double.IsFinite(d) || d <= 0))
            {
                throw new ArgumentOutOfRangeException("options.Spacing", $"Spacing [{string.Join(", ", spacing)}] must hold finite values > 0.");
            }
        }

        _spacing = options.Spacing?.ToArray() ?? [];
        Activation = options.Activation;
        TruncateDistances = options.TruncateDistances;
        FullClass = options.FullClass;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal BoundaryLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "boundary";

    /// <summary>The activation applied to the input.</summary>
    public Activation Activation { get; }

    /// <summary>The channels summed over, or <see langword="null"/> for every channel but the background.</summary>
    public IReadOnlyList<int>? ClassIndices => _classIndices;

    /// <summary>Whether distances are truncated toward 0.</summary>
    public bool TruncateDistances { get; }

    /// <summary>The map of a class covering a whole image.</summary>
    public FullMaskDistance FullClass { get; }

    /// <summary>
    /// The signed distance map φ_G of every kept class, <c>[N, K, H, W]</c> with K the kept channels in
    /// <see cref="ClassIndices"/> order (the reference's <c>dist_maps</c> restricted to <c>idc</c>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="shape">The shape of the scores the target belongs to.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>The maps.</returns>
    /// <exception cref="ArgumentException">The target does not match <paramref name="shape"/>, or a class index is out of range.</exception>
    public double[] DistanceMaps<T>(SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        target.Validate(shape, nameof(target));
        int[] kept = Kept(shape);
        int s = shape.PixelsPerImage;
        var maps = new double[shape.Batch * kept.Length * s];
        ForEachRegion(shape, target, kept, (region, map, _) => map.CopyTo(maps.AsSpan(region * s, s)));
        return maps;
    }

    /// <inheritdoc/>
    public unsafe double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        int[] kept = Kept(shape);
        int s = shape.PixelsPerImage;
        int regions = shape.Batch * kept.Length;
        bool wantGradient = !inputGradient.IsEmpty;
        var sums = new double[regions];
        var counts = new double[regions];
        T[] rented = ArrayPool<T>.Shared.Rent(input.Length);
        try
        {
            Span<T> probabilities = rented.AsSpan(0, input.Length);
            ActivationKernels.Apply(Activation, input, shape, probabilities);
            if (wantGradient)
            {
                inputGradient.Clear(); // channels left out keep a zero gradient
            }

            fixed (T* pp = probabilities)
            fixed (T* gp = inputGradient)
            {
                var p = new NativeSpan<T>(pp, probabilities.Length);
                var g = new NativeSpan<T>(gp, inputGradient.Length);

                // Per (image, kept class): Σ valid·φ·p and Σ valid; the gradient row gets valid·φ, scaled below by
                // 1/count once every region's count is known.
                ForEachRegion(shape, target, kept, (region, map, valid) =>
                {
                    int row = (((region / kept.Length) * shape.Classes) + kept[region % kept.Length]) * s;
                    ReadOnlySpan<T> pr = p.Slice(row, s);
                    Span<T> gr = wantGradient ? g.Slice(row, s) : default;
                    double sum = 0;
                    for (int i = 0; i < s; i++)
                    {
                        double weighted = valid.IsEmpty ? map[i] : double.CreateTruncating(valid[i]) * map[i];
                        sum += weighted * double.CreateTruncating(pr[i]);
                        if (wantGradient)
                        {
                            gr[i] = T.CreateTruncating(weighted);
                        }
                    }

                    sums[region] = sum;
                    counts[region] = valid.IsEmpty ? s : double.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.Sum(valid));
                });
            }

            double total = 0, count = 0;
            for (int r = 0; r < regions; r++)
            {
                total += sums[r];
                count += counts[r];
            }

            if (wantGradient)
            {
                // ∂loss/∂p = valid·φ/count on the kept channels, 0 elsewhere; then back through the activation.
                T scale = T.CreateTruncating(count > 0 ? 1 / count : 0);
                for (int r = 0; r < regions; r++)
                {
                    Span<T> row = inputGradient.Slice((((r / kept.Length) * shape.Classes) + kept[r % kept.Length]) * s, s);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
                }

                ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
            }

            return count > 0 ? total / count : 0;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    /// <summary>The work of one (image, kept class) region, given its map φ_G and its validity (empty when no pixel is ignored).</summary>
    private delegate void RegionWork<T>(int region, ReadOnlySpan<double> map, ReadOnlySpan<T> valid);

    private int[] Kept(SegmentationShape shape)
    {
        int[] kept = _classIndices ?? (shape.Classes == 1 ? [0] : Enumerable.Range(1, shape.Classes - 1).ToArray());
        foreach (int k in kept)
        {
            if (k >= shape.Classes)
            {
                throw new ArgumentException($"ClassIndices holds {k}, but the input has {shape.Classes} channels.", "options.ClassIndices");
            }
        }

        return kept;
    }

    /// <summary>Computes φ_G of every kept (image, class) region in parallel, each with its own scratch, and hands it to <paramref name="work"/>.</summary>
    private unsafe void ForEachRegion<T>(SegmentationShape shape, SegmentationTarget<T> target, int[] kept, RegionWork<T> work)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int regions = shape.Batch * kept.Length;
        int height = shape.Height, width = shape.Width;
        T half = T.CreateTruncating(0.5);
        fixed (int* lp = target.Labels)
        fixed (T* dp = target.Dense)
        {
            var pinned = new PinnedTarget<T>(new NativeSpan<int>(lp, target.Labels.Length), new NativeSpan<T>(dp, target.Dense.Length), target.IsLabelMap, target.IgnoreIndex, shape);
            ParallelWork.For(regions, (long)regions * s * 16, r =>
            {
                T[] rows = ArrayPool<T>.Shared.Rent(2 * s);
                byte[] mask = ArrayPool<byte>.Shared.Rent(s);
                double[] map = ArrayPool<double>.Shared.Rent(s);
                try
                {
                    Span<T> t = rows.AsSpan(0, s);
                    Span<T> valid = rows.AsSpan(s, s);
                    bool masked = pinned.FillChunk(r / kept.Length, kept[r % kept.Length], 0, t, valid);
                    for (int i = 0; i < s; i++)
                    {
                        mask[i] = t[i] > half ? (byte)1 : (byte)0; // ignored pixels have t = 0: outside the class
                    }

                    SignedDistanceMap.Compute(mask.AsSpan(0, s), [height, width], _spacing, map.AsSpan(0, s), FullClass, TruncateDistances);
                    work(r, map.AsSpan(0, s), masked ? valid : default);
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(rows);
                    ArrayPool<byte>.Shared.Return(mask);
                    ArrayPool<double>.Shared.Return(map);
                }
            });
        }
    }
}
