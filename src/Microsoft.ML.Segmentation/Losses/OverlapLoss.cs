using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The Tversky-form overlap loss that <see cref="DiceLoss"/>, <see cref="JaccardLoss"/> and <see cref="TverskyLoss"/>
/// are: score = (TP + a) / max(TP + α·FP + β·FN + b, ε) per region, loss = 1 − score (or −log score), reduced over regions.
/// </summary>
/// <remarks>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several
/// threads at once, each call using its own scratch.</remarks>
public abstract class OverlapLoss : RegionLoss
{
    private readonly double _alpha;
    private readonly double _beta;
    private readonly double _smoothNumerator;
    private readonly double _smoothDenominator;
    private readonly double _epsilon;
    private readonly double _gamma;
    private readonly FocalTverskyForm _gammaForm;
    private readonly OverlapDenominator _denominator;
    private readonly bool _softLabels;
    private readonly bool _perImage;
    private readonly bool _poolClasses;
    private readonly bool _includeBackground;
    private readonly int[]? _classes;
    private readonly double[]? _classWeights;
    private readonly ClassWeightNormalization _weightNormalization;
    private readonly EmptyTargetPolicy _emptyTarget;
    private readonly bool _logLoss;
    private readonly LossReduction _reduction;

    /// <param name="options">The shared options (copied).</param>
    /// <param name="alpha">α in the Tversky scale.</param>
    /// <param name="beta">β in the Tversky scale.</param>
    /// <param name="scale">How the loss's own formula relates to the Tversky form: the loss's smoothing and ε are divided by it (2 for Dice).</param>
    /// <param name="gamma">Focal exponent.</param>
    /// <param name="gammaForm">Where the exponent goes.</param>
    private protected OverlapLoss(OverlapLossOptions options, double alpha, double beta, double scale, double gamma, FocalTverskyForm gammaForm)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.SmoothNumerator, "options.SmoothNumerator");
        ArgumentOutOfRangeException.ThrowIfNegative(options.SmoothDenominator, "options.SmoothDenominator");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epsilon, "options.Epsilon");
        ArgumentOutOfRangeException.ThrowIfNegative(alpha, "options.Alpha");
        ArgumentOutOfRangeException.ThrowIfNegative(beta, "options.Beta");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma, "options.Gamma");
        if (options.ClassWeights is { } weights && weights.Any(w => !(w >= 0) || double.IsInfinity(w)))
        {
            throw new ArgumentException("Every class weight must be finite and ≥ 0.", "options.ClassWeights");
        }

        if (options.PoolClasses && options.ClassWeights is not null)
        {
            throw new ArgumentException("ClassWeights cannot weight classes that PoolClasses merges into one region; drop one of the two.", "options.ClassWeights");
        }

        if (options.SoftLabels && options.Denominator == OverlapDenominator.Squared)
        {
            throw new ArgumentException("SoftLabels applies to the linear denominator only (with squared sums the intersection is Σpt already).", "options.SoftLabels");
        }

        _alpha = alpha;
        _beta = beta;
        _smoothNumerator = options.SmoothNumerator / scale;
        _smoothDenominator = options.SmoothDenominator / scale;
        _epsilon = options.Epsilon / scale;
        _gamma = gamma;
        _gammaForm = gammaForm;
        _denominator = options.Denominator;
        _softLabels = options.SoftLabels;
        _perImage = options.PerImage;
        _poolClasses = options.PoolClasses;
        _includeBackground = options.IncludeBackground;
        _classes = options.ClassIndices?.ToArray();
        _classWeights = options.ClassWeights?.ToArray();
        _weightNormalization = options.WeightNormalization;
        _emptyTarget = options.EmptyTarget;
        _logLoss = options.LogLoss;
        _reduction = options.Reduction;
    }

    private protected override bool NeedsAbsoluteDifference => _softLabels;

    private protected override void ValidateFor(SegmentationShape shape)
    {
        if (_classWeights is not null && _classWeights.Length != shape.Classes)
        {
            throw new ArgumentException($"ClassWeights has {_classWeights.Length} entries but the input has {shape.Classes} classes.", "options.ClassWeights");
        }

        if (_classes is not null)
        {
            foreach (int c in _classes)
            {
                if ((uint)c >= (uint)shape.Classes)
                {
                    throw new ArgumentException($"ClassIndices holds {c}, outside 0..{shape.Classes - 1}.", "options.ClassIndices");
                }
            }
        }
    }

    private protected override double Reduce(ReadOnlySpan<RegionStatistics> stats, SegmentationShape shape, Span<RegionGradient> gradient, List<double>? terms)
    {
        int[] kept = KeptClasses(shape.Classes);
        int images = _perImage ? shape.Batch : 1;
        int classGroups = _poolClasses ? 1 : kept.Length;
        int groupCount = images * classGroups;
        var losses = new double[groupCount];
        var lossGradients = new RegionGradient[groupCount];
        var weights = new double[groupCount];
        var included = new bool[groupCount];

        for (int g = 0; g < groupCount; g++)
        {
            int image = g / classGroups;
            int classGroup = g % classGroups;
            RegionStatistics pooled = default;
            foreach ((int n, int c) in Members(shape, kept, image, classGroup))
            {
                pooled += stats[(n * shape.Classes) + c];
            }

            weights[g] = _poolClasses || _classWeights is null ? 1 : _classWeights[kept[classGroup]];
            included[g] = !(_emptyTarget == EmptyTargetPolicy.Exclude && pooled.SumTarget <= 0);
            if (_emptyTarget == EmptyTargetPolicy.ZeroLoss && pooled.SumTarget <= 0)
            {
                continue;
            }

            losses[g] = RegionLossValue(pooled, out lossGradients[g]);
        }

        double numerator = 0, normalizer = 0;
        for (int g = 0; g < groupCount; g++)
        {
            terms?.Add(included[g] ? losses[g] : double.NaN);
            if (included[g])
            {
                numerator += weights[g] * losses[g];
                normalizer += _weightNormalization == ClassWeightNormalization.SumOfWeights ? weights[g] : 1;
            }
        }

        double scale = _reduction == LossReduction.Sum ? 1 : (normalizer > 0 ? 1 / normalizer : 0);
        double aggregate = numerator * scale;
        double outer = 1;
        if (_gammaForm == FocalTverskyForm.PowerOfMean && _gamma != 1)
        {
            outer = aggregate > 0 ? _gamma * Math.Pow(aggregate, _gamma - 1) : 0;
            aggregate = Math.Pow(aggregate, _gamma);
        }

        if (!gradient.IsEmpty)
        {
            for (int g = 0; g < groupCount; g++)
            {
                if (!included[g])
                {
                    continue;
                }

                RegionGradient coefficient = lossGradients[g] * (outer * scale * weights[g]);
                foreach ((int n, int c) in Members(shape, kept, g / classGroups, g % classGroups))
                {
                    gradient[(n * shape.Classes) + c].Add(coefficient);
                }
            }
        }

        return aggregate;
    }

    private int[] KeptClasses(int classCount)
    {
        IEnumerable<int> classes = _classes ?? Enumerable.Range(0, classCount);
        return classes.Where(c => _includeBackground || c != 0).ToArray();
    }

    private IEnumerable<(int Image, int Class)> Members(SegmentationShape shape, int[] kept, int image, int classGroup)
    {
        int firstImage = _perImage ? image : 0;
        int lastImage = _perImage ? image : shape.Batch - 1;
        for (int n = firstImage; n <= lastImage; n++)
        {
            if (_poolClasses)
            {
                foreach (int c in kept)
                {
                    yield return (n, c);
                }
            }
            else
            {
                yield return (n, kept[classGroup]);
            }
        }
    }

    /// <summary>The loss of one region and its derivatives with respect to the region's statistics.</summary>
    private double RegionLossValue(RegionStatistics s, out RegionGradient d)
    {
        bool squared = _denominator == OverlapDenominator.Squared;
        double tp = _softLabels ? (s.SumPrediction + s.SumTarget - s.AbsoluteDifference) / 2 : s.Intersection;
        double sumP = squared ? s.SumSquaredPrediction : s.SumPrediction;
        double sumT = squared ? s.SumSquaredTarget : s.SumTarget;

        // TP + α(ΣP − TP) + β(ΣT − TP) + b
        double numerator = tp + _smoothNumerator;
        double denominator = (tp * (1 - _alpha - _beta)) + (_alpha * sumP) + (_beta * sumT) + _smoothDenominator;
        double score, dScoreDtp, dScoreDsumP;
        if (_epsilon == 0 || denominator > _epsilon)
        {
            score = numerator / denominator;
            dScoreDtp = (1 / denominator) - (numerator * (1 - _alpha - _beta) / (denominator * denominator));
            dScoreDsumP = -numerator * _alpha / (denominator * denominator);
        }
        else
        {
            score = numerator / _epsilon;
            dScoreDtp = 1 / _epsilon;
            dScoreDsumP = 0;
        }

        double loss, dLossDscore;
        if (_logLoss)
        {
            bool clamped = _epsilon > 0 && score <= _epsilon;
            loss = -Math.Log(clamped ? _epsilon : score);
            dLossDscore = clamped ? 0 : -1 / score;
        }
        else
        {
            loss = 1 - score;
            dLossDscore = -1;
        }

        if (_gammaForm == FocalTverskyForm.PerRegionInverseGamma && _gamma != 1)
        {
            double powered = loss > 0 ? Math.Pow(loss, 1 / _gamma) : 0;
            dLossDscore *= loss > 0 ? powered / (_gamma * loss) : 0;
            loss = powered;
        }

        double dTp = dLossDscore * dScoreDtp;
        double dSumP = dLossDscore * dScoreDsumP;
        d = default;
        if (squared)
        {
            d.SumSquaredPrediction = dSumP;
            d.Intersection = dTp;
        }
        else if (_softLabels)
        {
            d.SumPrediction = dSumP + (dTp / 2);
            d.AbsoluteDifference = -dTp / 2;
        }
        else
        {
            d.SumPrediction = dSumP;
            d.Intersection = dTp;
        }

        return loss;
    }
}
