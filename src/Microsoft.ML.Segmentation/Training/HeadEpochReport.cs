using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>What one epoch of head training did.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="TrainLoss">The mean of the training images' losses during the epoch.</param>
/// <param name="ValidationMeanIou">Mean IoU on the validation images after the epoch (over classes present in truth or prediction); NaN without validation.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="Elapsed">Wall time of the epoch, validation included.</param>
/// <param name="IsBest">Whether this epoch is the best so far (its parameters are kept).</param>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed record HeadEpochReport(int Epoch, double TrainLoss, double ValidationMeanIou, double LearningRate, TimeSpan Elapsed, bool IsBest);
