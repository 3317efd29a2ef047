using System;
using System.Numerics;
using System.Numerics.Tensors;
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
        if (shape.Classes != 1)
        {
            throw new ArgumentException($"The balanced binary cross-entropy takes one logit channel; the input has {shape.Classes}.", nameof(input));
        }

        (long positives, long negatives) = CountSides(target, shape);
        if (positives == 0 || negatives == 0)
        {
            // No positive or no negative pixel: every weight is 0 (mmseg gives exactly 0).
            FiniteGuard.ThrowIfNotFinite(input, nameof(input));
            inputGradient.Clear();
            return 0;
        }

        // w₊ = Q/(P + Q) and w₋ = P/(P + Q) are w₋ times PyTorch's pos_weight Q/P: the binary cross-entropy's vector
        // kernel (one positive weight on a label map is its α-balanced form), summed, then scaled once.
        double all = positives + negatives;
        double positiveWeight = negatives / all, negativeWeight = positives / all;
        var weighted = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = [negatives / (double)positives], Averaging = PointwiseAveraging.Sum });
        double sum = weighted.Compute(input, shape, target, inputGradient);
        double denominator = Averaging switch
        {
            PointwiseAveraging.All => shape.PixelCount,
            PointwiseAveraging.Valid => all,
            PointwiseAveraging.TargetWeight => (positives * positiveWeight) + (negatives * negativeWeight),
            _ => 1,
        };
        double scale = negativeWeight / denominator;
        if (!inputGradient.IsEmpty)
        {
            TensorPrimitives.Multiply(inputGradient, T.CreateTruncating(scale), inputGradient);
        }

        return sum * scale;
    }

    /// <summary>
    /// The positive and negative pixels (ignored ones neither), after the target's checks: a label map's labels are 0
    /// and 1 (or the ignore index), a dense target's values 0, 1 or NaN.
    /// </summary>
    private static (long Positives, long Negatives) CountSides<T>(SegmentationTarget<T> target, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long valid = target.ValidateAndCount(shape, nameof(target));
        long positives = 0;
        if (target.IsLabelMap)
        {
            // Labels are 0, 1 or the ignore index (validated), so the positives are the 1s.
            positives = LabelScan.CountEqual(target.Labels, 1);
            return (positives, valid - positives);
        }

        ReadOnlySpan<T> dense = target.Dense;
        for (int i = 0; i < dense.Length; i++)
        {
            T value = dense[i];
            if (value == T.One)
            {
                positives++;
            }
            else if (value != T.Zero && !T.IsNaN(value))
            {
                throw new ArgumentException($"The dense target holds {value} at element {i}; the balanced BCE takes 0, 1, or NaN to ignore.", nameof(target));
            }
        }

        return (positives, valid - positives);
    }
}
