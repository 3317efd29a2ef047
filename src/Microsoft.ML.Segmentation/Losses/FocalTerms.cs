using System;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>The per-term pieces of the focal loss: the focal factor and its derivative, the class weights, the final scaling.</summary>
internal readonly struct FocalTerms
{
    private readonly FocalLossOptions _options;
    private readonly double[]? _classWeights;
    private readonly int _channels;
    private readonly double[]? _positiveWeights;
    private readonly double _smoothing;

    public FocalTerms(FocalLossOptions options, double[]? classWeights, int channels)
    {
        _options = options;
        _classWeights = classWeights;
        _channels = channels;
    }

    /// <summary>
    /// Binary cross-entropy with smp's and PyTorch's target weighting as the sigmoid focal loss at γ = 0 without α:
    /// pw·t′·softplus(−x) + (1 − t′)·softplus(x) with t′ = t(1 − 2ε) + ε (<paramref name="smoothing"/> ε) and a
    /// positive weight pw per channel.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is not plain binary cross-entropy (γ other than 0, α, a reduced threshold or normalisation).</exception>
    public FocalTerms(FocalLossOptions options, double[]? classWeights, int channels, double[]? positiveWeights, double smoothing)
        : this(options, classWeights, channels)
    {
        if ((positiveWeights is not null || smoothing != 0) && (options.Gamma != 0 || options.Alpha is not null || options.ReducedThreshold is not null || options.Normalized))
        {
            throw new ArgumentException("Positive weights and label smoothing weigh binary cross-entropy's targets: they need γ = 0 without α, reduced threshold or normalisation.", nameof(options));
        }

        _positiveWeights = positiveWeights;
        _smoothing = smoothing;
    }

    /// <summary>Whether the targets are weighted (binary cross-entropy's positive weights or label smoothing).</summary>
    public bool WeighsTargets => _positiveWeights is not null || _smoothing != 0;

    /// <summary>The positive weight of <paramref name="channel"/> (1 without positive weights).</summary>
    public double PositiveWeight(int channel) => ChannelParameters.At(_positiveWeights, channel, _channels, 1, "options.PositiveWeights");

    /// <summary>Label smoothing ε (0 without).</summary>
    public double Smoothing => _smoothing;

    /// <summary>The options (validated copy).</summary>
    public FocalLossOptions Options => _options;

    /// <summary>The class weight of <paramref name="channel"/> (1 without weights).</summary>
    public double ClassWeight(int channel) => ChannelParameters.At(_classWeights, channel, _channels, 1, "options.ClassWeights");

    /// <summary>γ as a small integer (0 to 3) when the factor is a plain power that multiplication can produce; otherwise -1.</summary>
    public int IntegerGamma => _options.ReducedThreshold is null && _options.Gamma is 0 or 1 or 2 or 3 ? (int)_options.Gamma : -1;

    /// <summary>f(p_t) and df/dp_t.</summary>
    public (double Factor, double Derivative) Factor(double pt) => FactorOfComplement(1 - pt);

    /// <summary>
    /// f and df/dp_t from 1 − p_t itself: a sigmoid's 1 − p_t is σ(∓x), which a caller computes without the cancellation
    /// of 1 − p_t at p_t ≈ 1 (below 2⁻⁵³ it is 0 there, and γ &lt; 1 makes the slope γ(1 − p_t)^(γ−1) of that error large).
    /// </summary>
    public (double Factor, double Derivative) FactorOfComplement(double oneMinus)
    {
        double gamma = _options.Gamma;
        if (_options.ReducedThreshold is double threshold)
        {
            if (1 - oneMinus < threshold)
            {
                return (1, 0);
            }

            double ratio = oneMinus / threshold;
            return (Math.Pow(ratio, gamma), gamma == 0 ? 0 : -(gamma / threshold) * Power(ratio, gamma - 1));
        }

        return (Math.Pow(oneMinus, gamma), gamma == 0 ? 0 : -gamma * Power(oneMinus, gamma - 1));
    }

    public double SigmoidWeight(int channel, double t)
    {
        double w = ChannelParameters.At(_classWeights, channel, _channels, 1, "options.ClassWeights");
        return _options.Alpha is double alpha ? w * ((alpha * t) + ((1 - alpha) * (1 - t))) : w;
    }

    public double SoftmaxWeight(int channel)
    {
        double w = ChannelParameters.At(_classWeights, channel, _channels, 1, "options.ClassWeights");
        return _options.Alpha is double alpha ? w * (channel == 0 ? 1 - alpha : alpha) : w;
    }

    /// <summary>The loss: Σl / denominator, or Σl / max(Σf, ε) / denominator when normalised.</summary>
    public double Value(double lossSum, double factorSum, double denominator)
    {
        double scale = denominator > 0 ? 1 / denominator : 0;
        return _options.Normalized ? lossSum / Normalizer(factorSum) * scale : lossSum * scale;
    }

    /// <summary>(∂L/∂Σl, −∂L/∂Σf): what each term's loss derivative and factor derivative are multiplied by.</summary>
    public (double LossScale, double FactorScale) Scales(double lossSum, double factorSum, double denominator)
    {
        double scale = denominator > 0 ? 1 / denominator : 0;
        if (!_options.Normalized)
        {
            return (scale, 0);
        }

        double normalizer = Normalizer(factorSum);
        bool clamped = factorSum < _options.NormalizationEpsilon;
        return (scale / normalizer, clamped ? 0 : scale * lossSum / (normalizer * normalizer));
    }

    /// <summary>The averaging denominator for <paramref name="validTerms"/> valid terms (elements for sigmoid, pixels for softmax).</summary>
    public double Denominator(SegmentationShape shape, double validTerms, bool elementwise) => _options.Averaging switch
    {
        PointwiseAveraging.Sum => 1,
        PointwiseAveraging.All => elementwise ? shape.ElementCount : shape.PixelCount,
        PointwiseAveraging.ValidElements => elementwise ? validTerms : validTerms * shape.Classes,
        _ => validTerms,
    };

    private double Normalizer(double factorSum) => Math.Max(factorSum, _options.NormalizationEpsilon);

    /// <summary>x^e, with 0^e read as 0 for e &gt; 0 and 1 for e = 0 (the derivative of (1 − p)^γ at p = 1).</summary>
    private static double Power(double x, double e) => x <= 0 ? (e == 0 ? 1 : 0) : Math.Pow(x, e);
}
