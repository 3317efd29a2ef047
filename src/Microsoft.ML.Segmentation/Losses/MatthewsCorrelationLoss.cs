using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Matthews correlation coefficient loss (Abhishek and Hamarneh, 2021): 1 − (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN))
/// from soft counts pooled over the batch, one per channel, averaged over channels. Range [0, 2].
/// </summary>
/// <remarks>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several
/// threads at once, each call using its own scratch.</remarks>
public sealed class MatthewsCorrelationLoss : RegionLoss
{
    private readonly double _epsilon;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MatthewsCorrelationLoss(MatthewsCorrelationLossOptions? options = null)
        : base((options ??= new MatthewsCorrelationLossOptions()).Activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epsilon, "options.Epsilon");
        _epsilon = options.Epsilon;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal MatthewsCorrelationLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public override string Name => "mcc";

    private protected override double Reduce(ReadOnlySpan<RegionStatistics> stats, SegmentationShape shape, Span<RegionGradient> gradient, List<double>? terms)
    {
        int c = shape.Classes;
        double total = 0;
        for (int k = 0; k < c; k++)
        {
            RegionStatistics s = default;
            for (int n = 0; n < shape.Batch; n++)
            {
                s += stats[(n * c) + k];
            }

            // Counts as functions of I = Σpt and P = Σp (T = Σt and the pixel count are constants).
            double tp = s.Intersection + _epsilon;
            double fp = s.SumPrediction - s.Intersection + _epsilon;
            double fn = s.SumTarget - s.Intersection + _epsilon;
            double tn = s.Count - s.SumPrediction - s.SumTarget + s.Intersection + _epsilon;
            double numerator = (tp * tn) - (fp * fn);
            double product = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
            double root = Math.Sqrt(product);
            double loss = 1 - (numerator / root);
            terms?.Add(loss);
            total += loss;
            if (gradient.IsEmpty)
            {
                continue;
            }

            // ∂/∂I moves tp and tn up and fp and fn down; ∂/∂P moves fp up and tn down. Of the four factors under
            // the root only tp + fp = P + 2ε and tn + fn = N − P + 2ε change, and only with P.
            double dNumeratorDI = tn + tp + fn + fp;
            double dNumeratorDP = -tp - fn;
            double dLogProductDP = (1 / (tp + fp)) - (1 / (tn + fn));
            double dScoreDI = dNumeratorDI / root;
            double dScoreDP = (dNumeratorDP / root) - (numerator / root * 0.5 * dLogProductDP);
            double scale = 1.0 / c;
            for (int n = 0; n < shape.Batch; n++)
            {
                gradient[(n * c) + k].Intersection += -scale * dScoreDI;
                gradient[(n * c) + k].SumPrediction += -scale * dScoreDP;
            }
        }

        return total / c;
    }
}
