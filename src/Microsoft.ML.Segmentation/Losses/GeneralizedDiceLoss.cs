using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Generalized Dice loss (Sudre et al., 2017): 1 − (2Σ_c w_c·TP_c + a) / (Σ_c w_c(Σp_c + Σt_c) + b), with class
/// weights from the target volume so that small structures count as much as large ones.
/// </summary>
/// <remarks>
/// A class with an empty target would get an infinite weight; like MONAI, it gets the largest finite weight of the
/// region instead. Weights depend on targets only, so they are constants for the gradient.
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class GeneralizedDiceLoss : RegionLoss
{
    private readonly GeneralizedDiceWeighting _weighting;
    private readonly double _smoothNumerator;
    private readonly double _smoothDenominator;
    private readonly bool _perImage;
    private readonly bool _includeBackground;
    private readonly LossReduction _reduction;
    private readonly bool _softLabels;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public GeneralizedDiceLoss(GeneralizedDiceLossOptions? options = null)
        : base((options ??= new GeneralizedDiceLossOptions()).Activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.SmoothNumerator, "options.SmoothNumerator");
        ArgumentOutOfRangeException.ThrowIfNegative(options.SmoothDenominator, "options.SmoothDenominator");
        _weighting = options.Weighting;
        _smoothNumerator = options.SmoothNumerator;
        _smoothDenominator = options.SmoothDenominator;
        _perImage = options.PerImage;
        _includeBackground = options.IncludeBackground;
        _reduction = options.Reduction;
        _softLabels = options.SoftLabels;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal GeneralizedDiceLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public override string Name => "generalized_dice";

    private protected override bool NeedsAbsoluteDifference => _softLabels;

    private protected override double Reduce(ReadOnlySpan<RegionStatistics> stats, SegmentationShape shape, Span<RegionGradient> gradient, List<double>? terms)
    {
        int c = shape.Classes;
        int first = _includeBackground || c == 1 ? 0 : 1;
        int regions = _perImage ? shape.Batch : 1;
        var pooled = new RegionStatistics[c];
        var weights = new double[c];
        var volumes = new double[c - first];
        double total = 0;
        for (int r = 0; r < regions; r++)
        {
            Array.Clear(pooled);
            int firstImage = _perImage ? r : 0;
            int lastImage = _perImage ? r : shape.Batch - 1;
            for (int n = firstImage; n <= lastImage; n++)
            {
                for (int k = first; k < c; k++)
                {
                    pooled[k] += stats[(n * c) + k];
                }
            }

            for (int k = first; k < c; k++)
            {
                volumes[k - first] = pooled[k].SumTarget;
            }

            GeneralizedDiceWeights.Compute(_weighting, volumes, weights.AsSpan(first));
            double numerator = _smoothNumerator, denominator = _smoothDenominator;
            for (int k = first; k < c; k++)
            {
                numerator += 2 * weights[k] * Intersection(pooled[k]);
                denominator += weights[k] * (pooled[k].SumPrediction + pooled[k].SumTarget);
            }

            double loss = denominator != 0 ? 1 - (numerator / denominator) : 0;
            terms?.Add(loss);
            total += loss;
            if (gradient.IsEmpty || denominator == 0)
            {
                continue;
            }

            double outer = _reduction == LossReduction.Mean ? 1.0 / regions : 1;
            for (int n = firstImage; n <= lastImage; n++)
            {
                for (int k = first; k < c; k++)
                {
                    double dIntersection = -outer * 2 * weights[k] / denominator;
                    gradient[(n * c) + k].SumPrediction += outer * numerator * weights[k] / (denominator * denominator);
                    if (_softLabels)
                    {
                        // tp = (Σp + Σt − Σ|p − t|) / 2: ∂tp/∂Σp = ½, ∂tp/∂Σ|p − t| = −½.
                        gradient[(n * c) + k].SumPrediction += dIntersection / 2;
                        gradient[(n * c) + k].AbsoluteDifference -= dIntersection / 2;
                    }
                    else
                    {
                        gradient[(n * c) + k].Intersection += dIntersection;
                    }
                }
            }
        }

        return _reduction == LossReduction.Mean ? total / regions : total;
    }

    /// <summary>The soft true positives of a region: Σp·t, or the soft-label form (Σp + Σt − Σ|p − t|) / 2.</summary>
    private double Intersection(RegionStatistics s)
        => _softLabels ? (s.SumPrediction + s.SumTarget - s.AbsoluteDifference) / 2 : s.Intersection;
}
