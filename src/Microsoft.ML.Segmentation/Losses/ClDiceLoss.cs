using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
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
        => Compute(input, shape, target, inputGradient, reference: false);

    /// <summary>The N-dimensional double-precision path (<see cref="SoftSkeleton"/>) for any input: what tests compare the float planes against.</summary>
    internal double ComputeReference<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Compute(input, shape, target, inputGradient, reference: true);

    private double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, bool reference)
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
        if (typeof(T) == typeof(float) && axes.Length == 2 && !reference)
        {
            var targetRows = new float[(long)regions * s];
            var validRowSingle = new float[s];
            for (int r = 0; r < regions; r++)
            {
                target.FillRow(shape, r / kept, first + (r % kept), MemoryMarshal.Cast<float, T>(targetRows.AsSpan(r * s, s)), MemoryMarshal.Cast<float, T>(validRowSingle.AsSpan()));
            }

            return ComputePlanes((float[])(object)probabilities, targetRows, shape, first, kept, axes[0], axes[1], MemoryMarshal.Cast<T, float>(inputGradient));
        }

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

        Terms terms = Terms.Of(sums.Aggregate(default(Sums), (a, b) => a + b), Smooth, Alpha);
        if (!wantGradient)
        {
            return terms.Loss;
        }

        var gradients = new double[regions][];
        ParallelWork.For(regions, (long)regions * s * (Iterations + 2) * 24, r =>
        {
            var tape = new SoftSkeletonTape();
            SoftSkeleton.Skeletonize(p[r], axes, Iterations, tape);
            var skeletonGradient = new double[s];
            for (int i = 0; i < s; i++)
            {
                skeletonGradient[i] = terms.SkeletonGradient(t[r][i]);
            }

            var g = new double[s];
            SoftSkeleton.Backward(tape, skeletonGradient, g);
            for (int i = 0; i < s; i++)
            {
                g[i] += terms.DirectGradient(targetSkeletons[r][i], t[r][i]);
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
        return terms.Loss;
    }

    /// <summary>
    /// Float, two spatial axes: the soft skeletons on <see cref="SoftSkeletonPlane"/> (one per thread, reused), the sums
    /// in double in region order, the same loss and gradient as the reference path.
    /// </summary>
    private double ComputePlanes(float[] probabilities, float[] targetRows, SegmentationShape shape, int first, int kept, int height, int width, Span<float> inputGradient)
    {
        int regions = shape.Batch * kept;
        int s = shape.PixelsPerImage;
        var sums = new Sums[regions];
        var planes = new ConcurrentBag<SoftSkeletonPlane>();
        long cost = (long)regions * s * (Iterations + 2) * 8;
        bool wantGradient = !inputGradient.IsEmpty;
        float[] targetSkeletons = wantGradient ? new float[(long)regions * s] : []; // a constant of the gradient
        ParallelWork.For(regions, cost, r =>
        {
            SoftSkeletonPlane plane = Rent(planes, height, width);
            Span<float> skeleton = wantGradient ? targetSkeletons.AsSpan(r * s, s) : new float[s];
            ReadOnlySpan<float> p = probabilities.AsSpan(Offset(shape, kept, first, r), s);
            ReadOnlySpan<float> t = targetRows.AsSpan(r * s, s);
            plane.Skeletonize(p, forBackward: false);
            plane.CopySkeleton(skeleton);
            double skeletonPTimesT = 0, skeletonP = 0, intersection = 0, targetSum = 0, predictionSum = 0;
            for (int i = 0; i < s; i++)
            {
                skeletonPTimesT += (double)skeleton[i] * t[i];
                skeletonP += skeleton[i];
                intersection += (double)t[i] * p[i];
                targetSum += t[i];
                predictionSum += p[i];
            }

            plane.Skeletonize(t, forBackward: false);
            plane.CopySkeleton(skeleton);
            double skeletonTTimesP = 0, skeletonT = 0;
            for (int i = 0; i < s; i++)
            {
                skeletonTTimesP += (double)skeleton[i] * p[i];
                skeletonT += skeleton[i];
            }

            sums[r] = new Sums(skeletonPTimesT, skeletonP, skeletonTTimesP, skeletonT, intersection, targetSum, predictionSum);
            planes.Add(plane);
        });

        Terms terms = Terms.Of(sums.Aggregate(default(Sums), (a, b) => a + b), Smooth, Alpha);
        if (!wantGradient)
        {
            return terms.Loss;
        }

        var gradients = new float[(long)regions * s];
        ParallelWork.For(regions, 2 * cost, r =>
        {
            SoftSkeletonPlane plane = Rent(planes, height, width);
            ReadOnlySpan<float> p = probabilities.AsSpan(Offset(shape, kept, first, r), s);
            ReadOnlySpan<float> t = targetRows.AsSpan(r * s, s);
            ReadOnlySpan<float> targetSkeleton = targetSkeletons.AsSpan(r * s, s);
            plane.Skeletonize(p);
            var skeletonGradient = new float[s];
            for (int i = 0; i < s; i++)
            {
                skeletonGradient[i] = (float)terms.SkeletonGradient(t[i]);
            }

            Span<float> g = gradients.AsSpan(r * s, s);
            plane.Backward(skeletonGradient, g);
            for (int i = 0; i < s; i++)
            {
                g[i] = (float)(g[i] + terms.DirectGradient(targetSkeleton[i], t[i]));
            }

            planes.Add(plane);
        });

        inputGradient.Clear();
        for (int r = 0; r < regions; r++)
        {
            gradients.AsSpan(r * s, s).CopyTo(inputGradient.Slice(Offset(shape, kept, first, r), s));
        }

        ActivationKernels.Backward(Activation, (ReadOnlySpan<float>)probabilities, inputGradient, shape);
        return terms.Loss;
    }

    private SoftSkeletonPlane Rent(ConcurrentBag<SoftSkeletonPlane> planes, int height, int width)
        => planes.TryTake(out SoftSkeletonPlane? plane) ? plane : new SoftSkeletonPlane(height, width, Iterations);

    private static int Offset(SegmentationShape shape, int kept, int first, int region)
        => (((region / kept) * shape.Classes) + first + (region % kept)) * shape.PixelsPerImage;

    /// <summary>The loss and the factors of its gradient, from the sums over every region.</summary>
    private readonly struct Terms
    {
        private readonly double _precision;
        private readonly double _byPrecision;
        private readonly double _bySensitivity;
        private readonly double _skeletonPDenominator;
        private readonly double _skeletonTDenominator;
        private readonly double _diceNumerator;
        private readonly double _diceDenominator;
        private readonly double _diceWeight;

        private Terms(Sums total, double smooth, double alpha)
        {
            double precision = (total.SkeletonPTimesT + smooth) / (total.SkeletonP + smooth);
            double sensitivity = (total.SkeletonTTimesP + smooth) / (total.SkeletonT + smooth);
            double clDice = 1 - (2 * precision * sensitivity / (precision + sensitivity));
            _diceNumerator = (2 * total.Intersection) + smooth;
            _diceDenominator = total.TargetSum + total.PredictionSum + smooth;
            double dice = 1 - (_diceNumerator / _diceDenominator);
            Loss = ((1 - alpha) * dice) + (alpha * clDice);

            // ∂clDice/∂P = −2R²/(P + R)², ∂clDice/∂R = −2P²/(P + R)²; P depends on S_p (backward through the pools), R on p.
            double squared = (precision + sensitivity) * (precision + sensitivity);
            _precision = precision;
            _byPrecision = alpha * -2 * sensitivity * sensitivity / squared;
            _bySensitivity = alpha * -2 * precision * precision / squared;
            _skeletonPDenominator = total.SkeletonP + smooth;
            _skeletonTDenominator = total.SkeletonT + smooth;
            _diceWeight = 1 - alpha;
        }

        public double Loss { get; }

        public static Terms Of(Sums total, double smooth, double alpha) => new(total, smooth, alpha);

        /// <summary>∂L/∂S_p at an element whose target is <paramref name="t"/>.</summary>
        public double SkeletonGradient(double t) => _byPrecision * (t - _precision) / _skeletonPDenominator;

        /// <summary>∂L/∂p through R and the Dice term, at an element with target skeleton <paramref name="targetSkeleton"/> and target <paramref name="t"/>.</summary>
        public double DirectGradient(double targetSkeleton, double t)
            => (_bySensitivity * targetSkeleton / _skeletonTDenominator) + (_diceWeight * -((2 * t * _diceDenominator) - _diceNumerator) / (_diceDenominator * _diceDenominator));
    }

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
