using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// <see cref="BalancedBinaryCrossEntropyLoss"/> written out pixel by pixel in <see cref="double"/> on one thread: the
/// oracle its fast path is tested against (it was the loss itself until 2026-12-07, 0.21× PyTorch on [8, 1, 256, 256]).
/// </summary>
internal static class BalancedBinaryCrossEntropyReference
{
    /// <summary>The loss and its gradient pixel by pixel in <see cref="double"/>.</summary>
    public static double Compute<T>(BalancedBinaryCrossEntropyLoss loss, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
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
        double denominator = loss.Averaging switch
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
