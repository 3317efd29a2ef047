using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>The outcome of <see cref="HeadTrainer.Train"/>.</summary>
/// <param name="Head">The head, holding the best epoch's parameters.</param>
/// <param name="History">One report per epoch run.</param>
/// <param name="BestEpoch">The epoch (1-based) whose parameters the head holds.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
/// <param name="ClassWeights">The class weights given to the loss, or <see langword="null"/>.</param>
/// <remarks>Thread safety: the record is immutable, but its <see cref="Head"/> is a mutable SegmentationHead (see its
/// thread safety).</remarks>
public sealed record HeadTrainingResult(
    SegmentationHead Head, IReadOnlyList<HeadEpochReport> History, int BestEpoch, bool StoppedEarly, IReadOnlyList<double>? ClassWeights);
