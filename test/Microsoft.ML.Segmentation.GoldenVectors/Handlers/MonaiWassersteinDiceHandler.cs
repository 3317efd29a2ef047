using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>GeneralizedWassersteinDiceLoss</c> through <see cref="Monai.GeneralizedWassersteinDiceLoss"/>: logits
/// [B,C,spatial…] (any number of spatial axes, none included) and a label map [B,spatial…] or [B,1,spatial…];
/// <c>reduction="none"</c> asks the loss for its per-image terms.
/// </summary>
internal sealed class MonaiWassersteinDiceHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.Contains("GeneralizedWassersteinDiceLoss", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        LossProblem problem = LossProblem.WithLabels(c.Tensor("input"), c.Tensor("target"), null);
        if (c.Params["dist_matrix"] is not JsonArray rows)
        {
            throw new InvalidDataException("the case has no dist_matrix");
        }

        double[][] matrix = rows.Select(row => GoldenValues.Flatten(row)).ToArray();
        string reduction = c.Text("reduction") ?? "mean";
        PeerLoss loss = Monai.GeneralizedWassersteinDiceLoss(matrix, c.Text("weighting_mode") ?? "default", reduction == "none" ? "mean" : reduction,
            c.Number("smooth_nr", 1e-5), c.Number("smooth_dr", 1e-5));
        return reduction == "none"
            ? GoldenOutcome.Compare(c, ((Losses.GeneralizedWassersteinDiceLoss)loss.ForChannels(problem.Shape.Classes)).ComputeTerms<double>(problem.Input, problem.Shape, problem.Target()))
            : GoldenOutcome.Compare(c, problem.Compute(loss));
    }
}
