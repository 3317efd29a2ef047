using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>mmseg's PIDNet <c>BoundaryLoss</c> through <see cref="Mmseg.BoundaryLoss"/>; labels 255 are the ones mmseg leaves out of the weights.</summary>
internal sealed class MmsegBoundaryLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("mmseg") && file.Callable.StartsWith("mmseg.models.losses.BoundaryLoss", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        ISegmentationLoss loss = Mmseg.BoundaryLoss(c.Number("loss_weight", 1), ignoreIndex: 255);
        return GoldenOutcome.Compare(c, LossProblem.WithLabels(c.Tensor("bd_pre"), c.Tensor("bd_gt"), 255).Compute(loss));
    }
}
