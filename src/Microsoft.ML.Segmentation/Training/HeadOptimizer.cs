using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>An optimiser over a flat parameter vector, with per-parameter state. Not thread-safe.</summary>
/// <remarks>Thread safety: not thread-safe: each step updates the optimizer's state (moments, step count); one
/// optimizer per training run.</remarks>
public abstract class HeadOptimizer
{
    /// <summary>Creates the state for <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">The length of the parameter vector; 1 or more.</param>
    protected HeadOptimizer(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameterCount, 1);
        ParameterCount = parameterCount;
    }

    /// <summary>The length of the parameter vector.</summary>
    public int ParameterCount { get; }

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>Creates the optimiser <paramref name="options"/> describe.</summary>
    /// <param name="options">The optimiser's settings.</param>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    /// <returns>An <see cref="SgdOptimizer"/> or <see cref="AdamOptimizer"/>.</returns>
    public static HeadOptimizer Create(HeadOptimizerOptions options, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kind switch
        {
            HeadOptimizerKind.Sgd => new SgdOptimizer(options, parameterCount),
            HeadOptimizerKind.Adam => new AdamOptimizer(options, parameterCount),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown optimiser."),
        };
    }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradient"/>.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="gradient">∂loss/∂parameters, same length.</param>
    /// <param name="decay">Per parameter, whether weight decay applies (false for biases); same length.</param>
    /// <param name="learningRate">The step size for this step; ≥ 0.</param>
    /// <exception cref="ArgumentException">A length differs from <see cref="ParameterCount"/>.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<bool> decay, double learningRate)
    {
        Check(parameters.Length, nameof(parameters));
        Check(gradient.Length, nameof(gradient));
        Check(decay.Length, nameof(decay));
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        StepCount++;
        Update(parameters, gradient, decay, learningRate, StepCount);
    }

    /// <summary>Applies one update; lengths are checked.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="gradient">The gradient.</param>
    /// <param name="decay">Where weight decay applies.</param>
    /// <param name="learningRate">The step size.</param>
    /// <param name="step">1 for the first step.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<bool> decay, double learningRate, int step);

    private void Check(int length, string name)
    {
        if (length != ParameterCount)
        {
            throw new ArgumentException($"{name} holds {length} values; the optimiser has {ParameterCount} parameters.", name);
        }
    }
}
