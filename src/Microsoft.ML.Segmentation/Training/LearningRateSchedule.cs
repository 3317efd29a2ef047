using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>The learning rate as a function of the optimiser step, with an optional linear warm-up.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class LearningRateSchedule
{
    /// <summary>The shape after warm-up. Default: <see cref="LearningRateScheduleKind.Constant"/>.</summary>
    public LearningRateScheduleKind Kind { get; set; } = LearningRateScheduleKind.Constant;

    /// <summary>
    /// Steps of linear warm-up: step s (0-based) below this uses base·(s + 1)/<see cref="WarmupSteps"/>.
    /// Default: 0 (none).
    /// </summary>
    public int WarmupSteps { get; set; }

    /// <summary>Cosine: the rate at the last step (the floor). Default: 0.</summary>
    public double MinimumLearningRate { get; set; }

    /// <summary>Step decay: epochs between decays. Default: 10.</summary>
    public int StepEpochs { get; set; } = 10;

    /// <summary>Step decay: the factor per decay. Default: 0.1.</summary>
    public double Gamma { get; set; } = 0.1;

    /// <summary>The rate at one step.</summary>
    /// <param name="baseRate">The rate the schedule starts from (after warm-up).</param>
    /// <param name="step">The optimiser step, 0-based.</param>
    /// <param name="totalSteps">Steps in the whole run; 1 or more.</param>
    /// <param name="stepsPerEpoch">Steps per epoch (for step decay); 1 or more.</param>
    /// <returns>
    /// Warm-up first; then constant: base; cosine over the steps after warm-up, t = (s − warm-up)/(total − 1 − warm-up):
    /// floor + (base − floor)·(1 + cos πt)/2; step decay: base·γ^⌊epoch/StepEpochs⌋ with epoch = ⌊s/stepsPerEpoch⌋.
    /// </returns>
    public double Rate(double baseRate, int step, int totalSteps, int stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        if (step < WarmupSteps)
        {
            return baseRate * (step + 1) / WarmupSteps;
        }

        switch (Kind)
        {
            case LearningRateScheduleKind.Constant:
                return baseRate;
            case LearningRateScheduleKind.Cosine:
                int span = totalSteps - 1 - Math.Max(WarmupSteps, 0);
                double t = span <= 0 ? 1 : Math.Min(1, (double)(step - Math.Max(WarmupSteps, 0)) / span);
                return MinimumLearningRate + ((baseRate - MinimumLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * t)));
            case LearningRateScheduleKind.StepDecay:
                if (StepEpochs < 1)
                {
                    throw new InvalidOperationException("StepEpochs must be 1 or more.");
                }

                int epoch = step / stepsPerEpoch;
                return baseRate * Math.Pow(Gamma, epoch / StepEpochs);
            default:
                throw new InvalidOperationException($"Unknown schedule {Kind}.");
        }
    }

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>A schedule with the same values.</returns>
    public LearningRateSchedule Clone() => (LearningRateSchedule)MemberwiseClone();
}
