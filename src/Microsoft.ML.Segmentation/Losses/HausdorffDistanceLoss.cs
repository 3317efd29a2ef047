using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Hausdorff distance loss on distance transforms (Karimi and Salcudean, 2019), as MONAI's <c>HausdorffDTLoss</c>
/// and, with <see cref="HausdorffDistanceLossOptions.LogLoss"/>, <c>LogHausdorffDTLoss</c>.
/// </summary>
/// <remarks>
/// <para>For each image and kept channel, the prediction p and the target t are thresholded (<c>x &gt; 0.5</c>) and each
/// mask gets a distance field: every pixel's Euclidean distance to the nearest pixel on the other side of the mask
/// boundary (the transform of the mask plus that of its complement); a mask that is empty or full gets a zero field.
/// A term is the mean over pixels of <c>(p − t)² · (d_p^α + d_t^α)</c>, over one image (<see cref="HausdorffDistanceLossOptions.PerImage"/>)
/// or over the batch; the loss is the mean or sum of the terms, optionally log(loss + 1).</para>
/// <para>The distance fields are computed from thresholded tensors and are constants of the gradient, as in MONAI
/// (<c>torch.no_grad</c>): ∂term/∂p = 2 (p − t)(d_p^α + d_t^α) / pixels, chained through the activation. The gradient
/// is therefore exact wherever no probability sits on the threshold.</para>
/// <para>Volumes: set <see cref="HausdorffDistanceLossOptions.SpatialShape"/> (for example <c>[D, H, W]</c>) and pass
/// the tensor as <c>[N, C, 1, D·H·W]</c>; the fields are then distances in that many dimensions, with
/// <see cref="HausdorffDistanceLossOptions.Spacing"/> for anisotropic voxels.</para>
/// <para>Ignored target elements (a label equal to the ignore index, or NaN in a dense target) add nothing to a
/// term and are not counted in its mean; they count as background in the target's distance field. A term with no
/// counted pixel is 0.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class HausdorffDistanceLoss : ISegmentationLoss
{
    private const double Threshold = 0.5;

    private readonly int[]? _spatialShape;
    private readonly double[]? _spacing;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="HausdorffDistanceLossOptions"/> (MONAI's).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="HausdorffDistanceLossOptions.Spacing"/> does not have one entry per spatial axis.</exception>
    public HausdorffDistanceLoss(HausdorffDistanceLossOptions? options = null)
    {
        options ??= new HausdorffDistanceLossOptions();
        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "Unknown activation.");
        }

        if (!Enum.IsDefined(options.Reduction))
        {
            throw new ArgumentOutOfRangeException("options.Reduction", options.Reduction, "Unknown reduction.");
        }

        if (!double.IsFinite(options.Alpha) || options.Alpha < 0)
        {
            throw new ArgumentOutOfRangeException("options.Alpha", options.Alpha, "Alpha must be finite and ≥ 0.");
        }

        if (options.SpatialShape is { } axes)
        {
            if (axes.Count == 0 || axes.Any(a => a < 1))
            {
                throw new ArgumentOutOfRangeException("options.SpatialShape", $"SpatialShape [{string.Join(", ", axes)}] must list at least one axis, each of size ≥ 1.");
            }

            _spatialShape = axes.ToArray();
        }

        if (options.Spacing is { } spacing)
        {
            int axisCount = _spatialShape?.Length ?? 2;
            if (spacing.Count != axisCount)
            {
                throw new ArgumentException($"Spacing has {spacing.Count} entries but there are {axisCount} spatial axes.", "options.Spacing");
            }

            if (spacing.Any(d => !double.IsFinite(d) || d <= 0))
            {
                throw new ArgumentOutOfRangeException("options.Spacing", $"Spacing [{string.Join(", ", spacing)}] must hold finite values > 0.");
            }

            _spacing = spacing.ToArray();
        }

        Activation = options.Activation;
        Alpha = options.Alpha;
        IncludeBackground = options.IncludeBackground;
        PerImage = options.PerImage;
        Reduction = options.Reduction;
        LogLoss = options.LogLoss;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal HausdorffDistanceLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => LogLoss ? "log_hausdorff_dt" : "hausdorff_dt";

    /// <summary>The activation applied to the input before it is compared with the target.</summary>
    public Activation Activation { get; }

    /// <summary>The exponent applied to each distance field.</summary>
    public double Alpha { get; }

    /// <summary>Whether channel 0 is kept (always, with one channel).</summary>
    public bool IncludeBackground { get; }

    /// <summary>One term per (image, class) when <see langword="true"/>, one per class over the batch otherwise.</summary>
    public bool PerImage { get; }

    /// <summary>Mean or sum over the terms.</summary>
    public LossReduction Reduction { get; }

    /// <summary>Whether the loss is log(loss + 1).</summary>
    public bool LogLoss { get; }

    /// <summary>The spatial axes of each image when set (volumes), else <see langword="null"/> for the tensor's <c>[H, W]</c>.</summary>
    public IReadOnlyList<int>? SpatialShape => _spatialShape;

    /// <summary>The pixel spacing per spatial axis when set, else <see langword="null"/> (1 on every axis).</summary>
    public IReadOnlyList<double>? Spacing => _spacing;

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run(input, shape, target, inputGradient, terms: null);

    /// <summary>
    /// The terms before the reduction (MONAI <c>reduction="none"</c>), each already log(term + 1) with
    /// <see cref="LogLoss"/>: <c>[N, K]</c> row-major per image, or <c>[K]</c> over the batch, where K is the number of
    /// channels kept.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>One value per term.</returns>
    /// <exception cref="ArgumentException">Lengths do not match <paramref name="shape"/>, a label is out of range, or the input is not finite.</exception>
    public double[] ComputeTerms<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kept = shape.Classes - FirstChannel(shape);
        var terms = new double[PerImage ? shape.Batch * kept : kept];
        Run(input, shape, target, default, terms);
        return terms;
    }

    private int FirstChannel(SegmentationShape shape) => IncludeBackground || shape.Classes == 1 ? 0 : 1;

    private unsafe double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, double[]? terms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        if (_spatialShape is not null)
        {
            long volume = _spatialShape.Aggregate(1L, (a, b) => a * b);
            if (volume != shape.PixelsPerImage)
            {
                throw new ArgumentException(
                    $"SpatialShape [{string.Join(", ", _spatialShape)}] holds {volume} pixels but shape {shape} has H·W = {shape.PixelsPerImage}.", nameof(shape));
            }
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));

        int first = FirstChannel(shape);
        int kept = shape.Classes - first;
        int regions = shape.Batch * kept;
        bool wantGradient = !inputGradient.IsEmpty;
        T[]? rentedProbabilities = null;
        try
        {
            ReadOnlySpan<T> probabilities = input;
            if (Activation != Activation.None)
            {
                rentedProbabilities = ArrayPool<T>.Shared.Rent(input.Length);
                Span<T> buffer = rentedProbabilities.AsSpan(0, input.Length);
                ActivationKernels.Apply(Activation, input, shape, buffer);
                probabilities = buffer;
            }

            if (wantGradient)
            {
                inputGradient.Clear(); // the dropped background channel keeps a zero gradient
            }

            // Per region (image, kept channel): Σ valid·(p − t)²·w and Σ valid, with w = d_p^α + d_t^α; with a
            // gradient, the region's row receives 2·valid·(p − t)·w, scaled below once every count is known.
            var sums = new double[regions];
            var counts = new double[regions];
            fixed (T* pp = probabilities)
            fixed (T* gp = inputGradient)
            fixed (int* lp = target.Labels)
            fixed (T* dp = target.Dense)
            {
                var p = new NativeSpan<T>(pp, probabilities.Length);
                var g = new NativeSpan<T>(gp, inputGradient.Length);
                var pinned = new PinnedTarget<T>(new NativeSpan<int>(lp, target.Labels.Length), new NativeSpan<T>(dp, target.Dense.Length), target.IsLabelMap, target.IgnoreIndex, shape);
                ParallelWork.For(regions, (long)regions * shape.PixelsPerImage * 16, r =>
                {
                    int image = r / kept;
                    int k = first + (r % kept);
                    int offset = ((image * shape.Classes) + k) * shape.PixelsPerImage;
                    Span<T> gradientRow = wantGradient ? g.Slice(offset, shape.PixelsPerImage) : default;
                    (sums[r], counts[r]) = Region(p.Slice(offset, shape.PixelsPerImage), pinned, image, k, shape.Height, shape.Width, gradientRow);
                });
            }

            int termCount = PerImage ? regions : kept;
            var termValues = new double[termCount];
            var termCounts = new double[termCount];
            for (int r = 0; r < regions; r++)
            {
                int term = PerImage ? r : r % kept;
                termValues[term] += sums[r];
                termCounts[term] += counts[r];
            }

            double total = 0;
            for (int term = 0; term < termCount; term++)
            {
                termValues[term] = termCounts[term] > 0 ? termValues[term] / termCounts[term] : 0;
                total += termValues[term];
                if (terms is not null)
                {
                    terms[term] = LogLoss ? Math.Log(termValues[term] + 1) : termValues[term];
                }
            }

            double reduced = Reduction == LossReduction.Mean ? total / termCount : total;
            if (wantGradient)
            {
                // ∂loss/∂term: 1/terms for the mean, 1 for the sum, times 1/(loss + 1) for the log; ∂term/∂p is the
                // row's 2·valid·(p − t)·w over the term's pixel count.
                double outer = (Reduction == LossReduction.Mean ? 1.0 / termCount : 1.0) / (LogLoss ? reduced + 1 : 1);
                for (int r = 0; r < regions; r++)
                {
                    int term = PerImage ? r : r % kept;
                    int offset = (((r / kept) * shape.Classes) + first + (r % kept)) * shape.PixelsPerImage;
                    T scale = T.CreateTruncating(termCounts[term] > 0 ? outer / termCounts[term] : 0);
                    Span<T> row = inputGradient.Slice(offset, shape.PixelsPerImage);
                    TensorPrimitives.Multiply(row, scale, row);
                }

                ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
            }

            return LogLoss ? Math.Log(reduced + 1) : reduced;
        }
        finally
        {
            if (rentedProbabilities is not null)
            {
                ArrayPool<T>.Shared.Return(rentedProbabilities);
            }
        }
    }

    /// <summary>One region's Σ valid·(p − t)²·w and Σ valid; fills <paramref name="gradient"/> (when not empty) with 2·valid·(p − t)·w.</summary>
    private (double Sum, double Count) Region<T>(ReadOnlySpan<T> p, PinnedTarget<T> target, int image, int k, int height, int width, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = height * width;
        T[] rows = ArrayPool<T>.Shared.Rent(2 * s);
        byte[] mask = ArrayPool<byte>.Shared.Rent(s);
        double[] scratch = ArrayPool<double>.Shared.Rent(3 * s);
        try
        {
            Span<T> t = rows.AsSpan(0, s);
            Span<T> valid = rows.AsSpan(s, s);
            if (!target.FillChunk(image, k, 0, t, valid))
            {
                valid.Fill(T.One);
            }

            Span<double> predictionField = scratch.AsSpan(0, s);
            Span<double> targetField = scratch.AsSpan(s, s);
            Span<double> work = scratch.AsSpan(2 * s, s);
            SquaredField(p, mask.AsSpan(0, s), height, width, predictionField, work);
            SquaredField<T>(t, mask.AsSpan(0, s), height, width, targetField, work);
            double sum = 0;
            double count = 0;
            double halfAlpha = Alpha / 2;
            for (int i = 0; i < s; i++)
            {
                // Squared fields: α = 2 (the default) needs no root; d^α = (d²)^(α/2) otherwise.
                double dp = predictionField[i];
                double dt = targetField[i];
                double weight = Alpha == 2 ? dp + dt : Alpha == 1 ? Math.Sqrt(dp) + Math.Sqrt(dt) : Math.Pow(dp, halfAlpha) + Math.Pow(dt, halfAlpha);
                double v = double.CreateTruncating(valid[i]);
                double difference = double.CreateTruncating(p[i]) - double.CreateTruncating(t[i]);
                sum += v * difference * difference * weight;
                count += v;
                if (!gradient.IsEmpty)
                {
                    gradient[i] = T.CreateTruncating(2 * v * difference * weight);
                }
            }

            return (sum, count);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rows);
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// The squared distance field of <c>values &gt; 0.5</c>: each pixel's squared distance to the nearest pixel on the
    /// other side (what edt(mask) + edt(~mask) squares to, as only one of them is non-zero at a pixel); zero when the
    /// mask is empty or full.
    /// </summary>
    private void SquaredField<T>(ReadOnlySpan<T> values, Span<byte> mask, int height, int width, Span<double> field, Span<double> work)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T threshold = T.CreateTruncating(Threshold);
        int foreground = 0;
        for (int i = 0; i < values.Length; i++)
        {
            bool inside = values[i] > threshold;
            mask[i] = inside ? (byte)1 : (byte)0;
            foreground += inside ? 1 : 0;
        }

        if (foreground == 0 || foreground == values.Length)
        {
            field.Clear();
            return;
        }

        if (_spatialShape is null && _spacing is null && TwoSidedDistance.Supports(height, width))
        {
            TwoSidedDistance.ComputeSquared(mask, height, width, field);
            return;
        }

        // Volumes and anisotropic spacing: the squared transform of the mask, then of its complement, added.
        int[] axes = _spatialShape ?? [height, width];
        double[] spacing = _spacing ?? [];
        EuclideanDistanceTransform.ComputeSquared(mask, axes, spacing, field);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = (byte)(1 - mask[i]);
        }

        EuclideanDistanceTransform.ComputeSquared(mask, axes, spacing, work);
        System.Numerics.Tensors.TensorPrimitives.Add(field, work, field);
    }
}
