using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// Adam with bias correction, as PyTorch's <c>torch.optim.Adam</c>/<c>AdamW</c>: m ← β1·m + (1 − β1)·g,
/// v ← β2·v + (1 − β2)·g², w ← w − lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε). Weight decay (weights only) is either
/// decoupled, w ← w − lr·λ·w before the update (AdamW), or added to the gradient, g ← ∇ + λ·w (Adam's L2).
/// </summary>
/// <remarks>Thread safety: not thread-safe: each step updates the optimizer's state (moments, step count); one
/// optimizer per training run.</remarks>
public sealed class AdamOptimizer : HeadOptimizer
{
    private readonly double[] _m;
    private readonly double[] _v;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;
    private readonly bool _decoupled;

    /// <summary>Creates Adam state for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="options">β1, β2, ε, weight decay and its coupling are read.</param>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    public AdamOptimizer(HeadOptimizerOptions options, int parameterCount)
        : base(parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Beta1 >= 0 && options.Beta1 < 1) || !(options.Beta2 >= 0 && options.Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Beta1 and Beta2 must lie in [0, 1).");
        }

        if (!(options.Epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "Epsilon must be positive.");
        }

        if (!(options.WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WeightDecay, "WeightDecay must be 0 or more.");
        }

        _m = new double[parameterCount];
        _v = new double[parameterCount];
        _beta1 = options.Beta1;
        _beta2 = options.Beta2;
        _epsilon = options.Epsilon;
        _weightDecay = options.WeightDecay;
        _decoupled = options.DecoupledWeightDecay;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<bool> decay, double learningRate, int step)
    {
        double correction1 = 1 - Math.Pow(_beta1, step);
        double correction2 = 1 - Math.Pow(_beta2, step);
        for (int i = 0; i < parameters.Length; i++)
        {
            double w = parameters[i];
            double g = gradient[i];
            if (decay[i] && _weightDecay != 0)
            {
                if (_decoupled)
                {
                    w -= learningRate * _weightDecay * w;
                }
                else
                {
                    g += _weightDecay * w;
                }
            }

            double m = (_beta1 * _m[i]) + ((1 - _beta1) * g);
            double v = (_beta2 * _v[i]) + ((1 - _beta2) * g * g);
            _m[i] = m;
            _v[i] = v;
            parameters[i] = (float)(w - (learningRate * (m / correction1) / (Math.Sqrt(v / correction2) + _epsilon)));
        }
    }
}
