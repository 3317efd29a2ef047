using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// SGD with momentum, as PyTorch's <c>torch.optim.SGD</c> without dampening: g ← ∇ + λ·w (weights only);
/// v ← μ·v + g (v starts at 0); the step is v, or g + μ·v with Nesterov; w ← w − lr·step.
/// </summary>
/// <remarks>Thread safety: not thread-safe: each step updates the optimizer's state (moments, step count); one
/// optimizer per training run.</remarks>
public sealed class SgdOptimizer : HeadOptimizer
{
    private readonly double[] _velocity;
    private readonly double _momentum;
    private readonly bool _nesterov;
    private readonly double _weightDecay;

    /// <summary>Creates SGD state for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="options">Momentum, Nesterov and weight decay are read.</param>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    public SgdOptimizer(HeadOptimizerOptions options, int parameterCount)
        : base(parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Momentum >= 0 && options.Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Momentum, "Momentum must lie in [0, 1).");
        }

        if (!(options.WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WeightDecay, "WeightDecay must be 0 or more.");
        }

        _velocity = new double[parameterCount];
        _momentum = options.Momentum;
        _nesterov = options.Nesterov;
        _weightDecay = options.WeightDecay;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<bool> decay, double learningRate, int step)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            double w = parameters[i];
            double g = gradient[i] + (decay[i] ? _weightDecay * w : 0);
            double v = (_momentum * _velocity[i]) + g;
            _velocity[i] = v;
            double update = _nesterov ? g + (_momentum * v) : v;
            parameters[i] = (float)(w - (learningRate * update));
        }
    }
}
