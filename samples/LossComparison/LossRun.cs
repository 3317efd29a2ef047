namespace LossComparison;

/// <summary>One loss's head, scored on the test images.</summary>
/// <param name="Loss">The loss's label.</param>
/// <param name="MeanIou">Mean of the per-class IoUs over the test set (all classes occur there).</param>
/// <param name="RareIou">IoU of <see cref="SyntheticScenes.Rare"/>.</param>
/// <param name="ClassIou">IoU per class, in <see cref="SyntheticScenes.ClassNames"/> order.</param>
/// <param name="PixelAccuracy">Correct pixels over all pixels.</param>
/// <param name="TrainSeconds">Wall time of <c>HeadTrainer.Train</c> (validation included, feature extraction not).</param>
/// <param name="BestEpoch">The epoch whose parameters the head kept (best validation mIoU).</param>
/// <param name="RarePredictedPixels">Test pixels predicted as the rare class; 0 tells a head that never predicts it from one that predicts it in the wrong places.</param>
/// <param name="ClassWeights">The cross-entropy's class weights when the row uses a <c>ClassWeighting</c>; null otherwise.</param>
public sealed record LossRun(string Loss, double MeanIou, double RareIou, double[] ClassIou, double PixelAccuracy, double TrainSeconds, int BestEpoch, long RarePredictedPixels, IReadOnlyList<double>? ClassWeights);
