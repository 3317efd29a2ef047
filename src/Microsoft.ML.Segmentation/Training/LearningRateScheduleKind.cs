namespace Microsoft.ML.Segmentation.Training;

/// <summary>The shape of a <see cref="LearningRateSchedule"/> after its warm-up.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The base rate throughout.</summary>
    Constant = 0,

    /// <summary>Half a cosine from the base rate down to <see cref="LearningRateSchedule.MinimumLearningRate"/> at the last step.</summary>
    Cosine = 1,

    /// <summary>The base rate times <see cref="LearningRateSchedule.Gamma"/> after every <see cref="LearningRateSchedule.StepEpochs"/> epochs.</summary>
    StepDecay = 2,
}
