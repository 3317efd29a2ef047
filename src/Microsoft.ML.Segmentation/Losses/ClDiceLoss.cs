using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Soft clDice (Shit et al. 2021, "clDice — a novel topology-preserving loss function for tubular structure
/// segmentation"), as MONAI's <c>SoftclDiceLoss</c> and, with <see cref="ClDiceLossOptions.Alpha"/> &lt; 1,
/// <c>SoftDiceclDiceLoss</c>.
/// </summary>
/// <remarks>
/// <para>With soft skeletons S_p of the prediction and S_t of the target (<see cref="ClDiceLossOptions.Iterations"/>
/// min/max-pool steps), topology precision <c>P = (Σ S_p·t + s)/(Σ S_p + s)</c>, sensitivity
/// <c>R = (Σ S_t·p + s)/(Σ S_t + s)</c>, and <c>clDice = 1 − 2PR/(P + R)</c>; the loss is
/// <c>(1 − α)·(1 − (2Σ t·p + s)/(Σ t + Σ p + s)) + α·clDice</c>. Every sum runs over the whole batch, the kept channels
/// and all pixels: one scalar, as in MONAI.</para>
/// <para>The gradient is exact where no two different inputs in a pooling window tie (the pools' subgradient
/// elsewhere); S_t is a constant of it. Ignored target elements are not supported (the skeleton needs every pixel).</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads at once.</para>
/// </remarks>
public sealed class ClDiceLoss : ISegmentationLoss
{
    private readonly int[]? _spatialShape;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults of <see cref="ClDiceLossOptions"/> (MONAI's <c>SoftclDiceLoss()</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ClDiceLoss(ClDiceLossOptions? options = null)
    {
        options ??= new ClDiceLossOptions();
        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "Unknown activation.");
        }

        if (options.Iterations < 0)
        {
            throw new ArgumentOutOfRangeException("options.Iterations", options.Iterations, "Iterations must be ≥ 0.");
        }

        if (!double.IsFinite(options.Smooth) || options.Smooth < 0)
        {
            throw new ArgumentOutOfRangeException("options.Smooth", options.Smooth, "Smooth must be finite and ≥ 0.");
        }

        if (!(options.Alpha >= 0 && options.Alpha <= 1))
        {
            throw new ArgumentOutOfRangeException("options.Alpha", options.Alpha, "Alpha must lie in [0, 1].");
        }

        if (options.SpatialShape is { } axes)
        {
            if (axes.Count == 0 || axes.Any(a => a < 1))
            {
                throw new ArgumentOutOfRangeException("options.SpatialShape", $"SpatialShape [{string.Join(", ", axes)}] must list at least one axis, each of size ≥ 1.");
            }

            _spatialShape = axes.ToArray();
        }

        Activation = options.Activation;
        Iterations = options.Iterations;
        Smooth = options.Smooth;
        Alpha = options.Alpha;
        IncludeBackground = options.IncludeBackground;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal ClDiceLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => Alpha == 1 ? "cldice" : "dice_cldice";

    /// <summary>The activation applied to the input.</summary>
    public Activation Activation { get; }

    /// <summary>Erosion steps of the soft skeleton.</summary>
    public int Iterations { get; }

    /// <summary>The smoothing term of every ratio.</summary>
    public double Smooth { get; }

    /// <summary>The weight of clDice; the soft Dice has 1 − α.</summary>
    public double Alpha { get; }

    /// <summary>Whether channel 0 is kept (always, with one channel).</summary>
    public bool IncludeBackground { get; }

    /// <summary>The spatial axes of each image when set (volumes), else <see langword="null"/> for <c>[H, W]</c>.</summary>
    public IReadOnlyList<int>? SpatialShape => _spatialShape;

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        if (target.HasIgnored())
        {
            throw new ArgumentException("clDice skeletonises the whole target: ignored pixels (ignore index or NaN) are not supported.", nameof(target));
        }

        int[] axes = _spatialShape ?? [shape.Height, shape.Width];
        if (axes.Aggregate(1L, (a, b) => a * b) != shape.PixelsPerImage)
        {
            throw new ArgumentException($"SpatialShape [{string.Join(", ", axes)}] does not hold the {shape.PixelsPerImage} pixels of shape {shape}.", nameof(shape));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        bool wantGradient = !inputGradient.IsEmpty;
        var probabilities = new T[input.Length];
        ActivationKernels.Apply(Activation, input, shape, probabilities);
        int first = IncludeBackground || shape.Classes == 1 ? 0 : 1;
        int kept = shape.Classes - first;
        int regions = shape.Batch * kept;
        int s = shape.PixelsPerImage;

        // Per region: the prediction and target rows, and their sums (the target's skeleton is a constant).
        var p = new double[regions][];
        var t = new double[regions][];
        var targetSkeletons = new double[regions][];
        var sums = new Sums[regions];
        var validRow = new T[s];
        var targetRow = new T[s];
        for (int r = 0; r < regions; r++)
        {
            int image = r / kept;
            int k = first + (r % kept);
            target.FillRow(shape, image, k, targetRow, validRow);
            t[r] = targetRow.Select(v => double.CreateTruncating(v)).ToArray();
            p[r] = probabilities.AsSpan(Offset(shape, kept, first, r), s).ToArray().Select(v => double.CreateTruncating(v)).ToArray();
        }

        ParallelWork.For(regions, (long)regions * s * (Iterations + 2) * 24, r =>
        {
            double[] skeletonP = SoftSkeleton.Skeletonize(p[r], axes, Iterations);
            double[] skeletonT = SoftSkeleton.Skeletonize(t[r], axes, Iterations);
            sums[r] = Sums.Of(p[r], t[r], skeletonP, skeletonT);
            targetSkeletons[r] = wantGradient ? skeletonT : [];
        });

        Sums total = sums.Aggregate(default(Sums), (a, b) => a + b);
        double precision = (total.SkeletonPTimesT + Smooth) / (total.SkeletonP + Smooth);
        double sensitivity = (total.SkeletonTTimesP + Smooth) / (total.SkeletonT + Smooth);
        double clDice = 1 - (2 * precision * sensitivity / (precision + sensitivity));
        double diceNumerator = (2 * total.Intersection) + Smooth;
        double diceDenominator = total.TargetSum + total.PredictionSum + Smooth;
        double dice = 1 - (diceNumerator / diceDenominator);
        double loss = ((1 - Alpha) * dice) + (Alpha * clDice);
        if (!wantGradient)
        {
            return loss;
        }

        // ∂clDice/∂P = −2R²/(P + R)², ∂clDice/∂R = −2P²/(P + R)²; P depends on S_p (backward through the pools), R on p.
        double squared = (precision + sensitivity) * (precision + sensitivity);
        double byPrecision = Alpha * -2 * sensitivity * sensitivity / squared;
        double bySensitivity = Alpha * -2 * precision * precision / squared;
        var gradients = new double[regions][];
        ParallelWork.For(regions, (long)regions * s * (Iterations + 2) * 24, r =>
        {
            var tape = new SoftSkeletonTape();
            SoftSkeleton.Skeletonize(p[r], axes, Iterations, tape);
            var skeletonGradient = new double[s];
            for (int i = 0; i < s; i++)
            {
                skeletonGradient[i] = byPrecision * (t[r][i] - precision) / (total.SkeletonP + Smooth);
            }

            var g = new double[s];
            SoftSkeleton.Backward(tape, skeletonGradient, g);
            for (int i = 0; i < s; i++)
            {
                g[i] += bySensitivity * targetSkeletons[r][i] / (total.SkeletonT + Smooth);
                g[i] += (1 - Alpha) * -((2 * t[r][i] * diceDenominator) - diceNumerator) / (diceDenominator * diceDenominator);
            }

            gradients[r] = g;
        });

        inputGradient.Clear();
        for (int r = 0; r < regions; r++)
        {
            Span<T> row = inputGradient.Slice(Offset(shape, kept, first, r), s);
            for (int i = 0; i < s; i++)
            {
                row[i] = T.CreateTruncating(gradients[r][i]);
            }
        }

        ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
        return loss;
    }

    private static int Offset(SegmentationShape shape, int kept, int first, int region)
        => (((region / kept) * shape.Classes) + first + (region % kept)) * shape.PixelsPerImage;

    /// <summary>The sums of one region (or of all).</summary>
    private readonly record struct Sums(double SkeletonPTimesT, double SkeletonP, double SkeletonTTimesP, double SkeletonT, double Intersection, double TargetSum, double PredictionSum)
    {
        public static Sums operator +(Sums a, Sums b) => new(
            a.SkeletonPTimesT + b.SkeletonPTimesT, a.SkeletonP + b.SkeletonP, a.SkeletonTTimesP + b.SkeletonTTimesP, a.SkeletonT + b.SkeletonT,
            a.Intersection + b.Intersection, a.TargetSum + b.TargetSum, a.PredictionSum + b.PredictionSum);

        public static Sums Of(double[] p, double[] t, double[] skeletonP, double[] skeletonT)
        {
            Sums sums = default;
            for (int i = 0; i < p.Length; i++)
            {
                sums += new Sums(skeletonP[i] * t[i], skeletonP[i], skeletonT[i] * p[i], skeletonT[i], t[i] * p[i], t[i], p[i]);
            }

            return sums;
        }
    }
}
