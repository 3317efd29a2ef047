using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
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
/// </remarks>
public sealed class HausdorffDistanceLoss : ISegmentationLoss
{
    private const double Threshold = 0.5;

    private readonly int[]? _spatialShape;
    private readonly double[]? _spacing;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="HausdorffDistanceLossOptions"/> (MONAI's).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public HausdorffDistanceLoss(HausdorffDistanceLossOptions? options = null)
    {
        options ??= new HausdorffDistanceLossOptions();
        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Activation, "Unknown activation.");
        }

        if (!Enum.IsDefined(options.Reduction))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Reduction, "Unknown reduction.");
        }

        if (!double.IsFinite(options.Alpha) || options.Alpha < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Alpha, "Alpha must be finite and ≥ 0.");
        }

        if (options.SpatialShape is { } axes)
        {
            if (axes.Count == 0 || axes.Any(a => a < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"SpatialShape [{string.Join(", ", axes)}] must list at least one axis, each of size ≥ 1.");
            }

            _spatialShape = axes.ToArray();
        }

        if (options.Spacing is { } spacing)
        {
            int axisCount = _spatialShape?.Length ?? 2;
            if (spacing.Count != axisCount)
            {
                throw new ArgumentException($"Spacing has {spacing.Count} entries but there are {axisCount} spatial axes.", nameof(options));
            }

            if (spacing.Any(d => !double.IsFinite(d) || d <= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"Spacing [{string.Join(", ", spacing)}] must hold finite values > 0.");
            }

            _spacing = spacing.ToArray();
        }

        Activation = options.Activation;
        Alpha = options.Alpha;
        IncludeBackground = options.IncludeBackground;
        PerImage = options.PerImage;
        Reduction = options.Reduction;
        LogLoss = options.LogLoss;
    }

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

    private double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, double[]? terms)
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

        int n = shape.Batch;
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        int first = FirstChannel(shape);
        int kept = c - first;
        int regions = n * kept;
        bool wantGradient = !inputGradient.IsEmpty;

        T[]? rentedProbabilities = null;
        double[] rows = ArrayPool<double>.Shared.Rent(3 * regions * s);
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

            // Rows of region r = (image, kept channel): [p | t | valid] at 3·r·s, in double. The target is a ref
            // struct, so it is unpacked here once and the regions then run independently.
            Span<T> targetRow = new T[s];
            Span<T> validRow = new T[s];
            for (int image = 0; image < n; image++)
            {
                for (int j = 0; j < kept; j++)
                {
                    int r = (image * kept) + j;
                    int k = first + j;
                    Span<double> block = rows.AsSpan(3 * r * s, 3 * s);
                    ReadOnlySpan<T> p = probabilities.Slice(((image * c) + k) * s, s);
                    target.FillRow(shape, image, k, targetRow, validRow);
                    for (int i = 0; i < s; i++)
                    {
                        block[i] = double.CreateTruncating(p[i]);
                        block[s + i] = double.CreateTruncating(targetRow[i]);
                        block[(2 * s) + i] = double.CreateTruncating(validRow[i]);
                    }
                }
            }

            // Per region: Σ valid·(p − t)²·w and Σ valid; the weight w = d_p^α + d_t^α replaces the p row when a
            // gradient is wanted (p is kept in the activation's output).
            var sums = new double[regions];
            var counts = new double[regions];
            ParallelWork.For(regions, (long)regions * s * 8, r => Region(rows.AsSpan(3 * r * s, 3 * s), shape.Height, shape.Width, out sums[r], out counts[r], wantGradient));

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

            double value = Reduction == LossReduction.Mean ? total / termCount : total;
            if (LogLoss)
            {
                value = Math.Log(value + 1);
            }

            if (wantGradient)
            {
                // ∂loss/∂term: 1/terms for the mean, 1 for the sum, times 1/(loss + 1) for the log.
                double outer = Reduction == LossReduction.Mean ? 1.0 / termCount : 1.0;
                if (LogLoss)
                {
                    outer /= Math.Exp(value);
                }

                inputGradient.Clear();
                for (int r = 0; r < regions; r++)
                {
                    int term = PerImage ? r : r % kept;
                    if (termCounts[term] == 0)
                    {
                        continue;
                    }

                    double scale = 2 * outer / termCounts[term];
                    int image = r / kept;
                    int k = first + (r % kept);
                    ReadOnlySpan<double> block = rows.AsSpan(3 * r * s, 3 * s);
                    ReadOnlySpan<T> p = probabilities.Slice(((image * c) + k) * s, s);
                    Span<T> g = inputGradient.Slice(((image * c) + k) * s, s);
                    for (int i = 0; i < s; i++)
                    {
                        // block[i] is the weight here, block[s + i] the target, block[2s + i] the validity.
                        double difference = double.CreateTruncating(p[i]) - block[s + i];
                        g[i] = T.CreateTruncating(scale * difference * block[i] * block[(2 * s) + i]);
                    }
                }

                ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
            }

            return value;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rows);
            if (rentedProbabilities is not null)
            {
                ArrayPool<T>.Shared.Return(rentedProbabilities);
            }
        }
    }

    /// <summary>One region's sums over its rows <c>[p | t | valid]</c>; with <paramref name="keepWeights"/> the p row ends up holding the weights.</summary>
    private void Region(Span<double> block, int height, int width, out double sum, out double count, bool keepWeights)
    {
        int s = height * width;
        Span<double> p = block[..s];
        ReadOnlySpan<double> t = block.Slice(s, s);
        ReadOnlySpan<double> valid = block.Slice(2 * s, s);
        byte[] mask = ArrayPool<byte>.Shared.Rent(s);
        double[] scratch = ArrayPool<double>.Shared.Rent(3 * s);
        try
        {
            Span<double> predictionField = scratch.AsSpan(0, s);
            Span<double> targetField = scratch.AsSpan(s, s);
            Span<double> work = scratch.AsSpan(2 * s, s);
            Field(p, mask.AsSpan(0, s), height, width, predictionField, work);
            Field(t, mask.AsSpan(0, s), height, width, targetField, work);
            sum = 0;
            count = 0;
            bool square = Alpha == 2;
            for (int i = 0; i < s; i++)
            {
                double dp = predictionField[i];
                double dt = targetField[i];
                double weight = square ? (dp * dp) + (dt * dt) : Math.Pow(dp, Alpha) + Math.Pow(dt, Alpha);
                double difference = p[i] - t[i];
                sum += valid[i] * difference * difference * weight;
                count += valid[i];
                if (keepWeights)
                {
                    p[i] = weight;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<double>.Shared.Return(scratch);
        }
    }

    /// <summary>The distance field of <c>values &gt; 0.5</c>: each pixel's distance to the other side; zero when the mask is empty or full.</summary>
    private void Field(ReadOnlySpan<double> values, Span<byte> mask, int height, int width, Span<double> field, Span<double> work)
    {
        int foreground = 0;
        for (int i = 0; i < values.Length; i++)
        {
            bool inside = values[i] > Threshold;
            mask[i] = inside ? (byte)1 : (byte)0;
            foreground += inside ? 1 : 0;
        }

        field.Clear();
        if (foreground == 0 || foreground == values.Length)
        {
            return;
        }

        // Foreground pixels: distance to the nearest background pixel; then the complement for the background.
        Transform(mask, height, width, field);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = (byte)(1 - mask[i]);
        }

        Transform(mask, height, width, work);
        for (int i = 0; i < field.Length; i++)
        {
            field[i] += work[i];
        }
    }

    private void Transform(ReadOnlySpan<byte> mask, int height, int width, Span<double> distances)
    {
        if (_spatialShape is null && _spacing is null)
        {
            EuclideanDistanceTransform.Compute(mask, height, width, distances);
        }
        else
        {
            EuclideanDistanceTransform.Compute(mask, _spatialShape ?? [height, width], _spacing ?? [], distances);
        }
    }
}
