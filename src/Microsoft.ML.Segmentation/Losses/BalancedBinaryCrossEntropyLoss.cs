using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Class-balanced binary cross-entropy on one logit channel, as mmseg's <c>BoundaryLoss</c> (PIDNet's boundary head;
/// not Kervadec's boundary loss, which is <see cref="BoundaryLoss"/>): with P positive and Q negative pixels in the
/// whole batch, a positive pixel's BCE is weighted Q/(P + Q) and a negative one's P/(P + Q).
/// </summary>
/// <remarks>
/// <para>The rarer side (boundary pixels are few) so gets the larger weight. A batch with no positive or no negative
/// pixel gives exactly 0, as mmseg. Ignored pixels (the label map's ignore index, or NaN in a dense target) have weight 0
/// and, with <see cref="PointwiseAveraging.All"/>, still count in the denominator, as mmseg's mean over every element.</para>
/// <para>The weights depend on the target only, so the gradient is exact: ∂/∂x = w·(σ(x) − t) / denominator.</para>
/// <para>Targets: a label map of 0 and 1 (with an optional ignore index), or a dense <c>[N,1,H,W]</c> target of 0, 1 or NaN.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> is thread-safe.</para>
/// </remarks>
public sealed class BalancedBinaryCrossEntropyLoss : ISegmentationLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (mmseg's).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public BalancedBinaryCrossEntropyLoss(BalancedBinaryCrossEntropyLossOptions? options = null)
    {
        options ??= new BalancedBinaryCrossEntropyLossOptions();
        if (options.Averaging is not (PointwiseAveraging.All or PointwiseAveraging.Valid or PointwiseAveraging.TargetWeight or PointwiseAveraging.Sum))
        {
            throw new ArgumentOutOfRangeException("options.Averaging", options.Averaging, "Averaging must be All, Valid, TargetWeight or Sum.");
        }

        Averaging = options.Averaging;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal BalancedBinaryCrossEntropyLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "balanced_bce";

    /// <summary>How the weighted pixel losses are averaged.</summary>
    public PointwiseAveraging Averaging { get; }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (shape.Classes != 1)
        {
            throw new ArgumentException($"The balanced binary cross-entropy takes one logit channel; the input has {shape.Classes}.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        int count = shape.PixelCount;
        var t = new double[count]; // 1 positive, 0 negative, NaN ignored
        double positives = 0, negatives = 0;
        for (int i = 0; i < count; i++)
        {
            t[i] = Truth(target, i);
            positives += t[i] == 1 ? 1 : 0;
            negatives += t[i] == 0 ? 1 : 0;
        }

        double all = positives + negatives;
        double positiveWeight = all > 0 ? negatives / all : 0, negativeWeight = all > 0 ? positives / all : 0;
        double denominator = Averaging switch
        {
            PointwiseAveraging.All => count,
            PointwiseAveraging.Valid => all,
            PointwiseAveraging.TargetWeight => (positives * positiveWeight) + (negatives * negativeWeight),
            _ => 1,
        };
        double scale = denominator > 0 ? 1 / denominator : 0;
        double sum = 0;
        bool wantGradient = !inputGradient.IsEmpty;
        for (int i = 0; i < count; i++)
        {
            double w = t[i] == 1 ? positiveWeight : t[i] == 0 ? negativeWeight : 0;
            double x = double.CreateTruncating(input[i]);
            if (w != 0)
            {
                // Stable BCE with logits: max(x, 0) − x·t + log(1 + e^−|x|).
                sum += w * (Math.Max(x, 0) - (x * t[i]) + Math.Log(1 + Math.Exp(-Math.Abs(x))));
            }

            if (wantGradient)
            {
                inputGradient[i] = w == 0 ? T.Zero : T.CreateTruncating(w * scale * (Sigmoid(x) - t[i]));
            }
        }

        return sum * scale;
    }

    private static double Truth<T>(SegmentationTarget<T> target, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target.IsLabelMap)
        {
            int label = target.Labels[i];
            return label == target.IgnoreIndex ? double.NaN : label;
        }

        double value = double.CreateTruncating(target.Dense[i]);
        if (!double.IsNaN(value) && value != 0 && value != 1)
        {
            throw new ArgumentException($"The dense target holds {value} at element {i}; the balanced BCE takes 0, 1, or NaN to ignore.", nameof(target));
        }

        return value;
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
