using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI 1.5.0 <c>AsymmetricUnifiedFocalLoss</c>, <c>AsymmetricFocalLoss</c> and <c>AsymmetricFocalTverskyLoss</c>
/// (the case's <c>api</c> names which) through their <see cref="Monai"/> presets. y_true of y_pred's shape is a dense
/// target, a [B,1,…] index map against two channels a label map. A case with <c>expected_error</c> passes when the
/// preset refuses the inputs (ArgumentException), as MONAI raises.
/// </summary>
internal sealed class MonaiUnifiedFocalHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.Contains("AsymmetricUnifiedFocalLoss", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        GoldenTensor prediction = c.Tensor("y_pred");
        GoldenTensor truth = c.Tensor("y_true");
        LossProblem problem = truth.Shape.Length > 1 && truth.Shape[1] == 1 && prediction.Shape[1] > 1
            ? LossProblem.WithLabels(prediction, truth, null)
            : LossProblem.WithDense(prediction, truth);
        bool toOnehotY = c.Bool("to_onehot_y", false);
        string reduction = c.Text("reduction") ?? "mean";
        PeerLoss loss = c.Api switch
        {
            string a when a.StartsWith("AsymmetricUnifiedFocalLoss", StringComparison.Ordinal) => Monai.AsymmetricUnifiedFocalLoss(
                toOnehotY, (int)c.Number("num_classes", 2), c.Number("weight", 0.5), c.Number("gamma", 0.5), c.Number("delta", 0.7), reduction),
            string a when a.StartsWith("AsymmetricFocalTverskyLoss", StringComparison.Ordinal) => Monai.AsymmetricFocalTverskyLoss(
                toOnehotY, c.Number("delta", 0.7), c.Number("gamma", 0.75), c.Number("epsilon", 1e-7), reduction),
            string a when a.StartsWith("AsymmetricFocalLoss", StringComparison.Ordinal) => Monai.AsymmetricFocalLoss(
                toOnehotY, c.Number("delta", 0.7), c.Number("gamma", 2), c.Number("epsilon", 1e-7), reduction),
            _ => throw new NotSupportedException($"api '{c.Api}' names none of the three losses"),
        };

        if (GoldenValues.String(c.Node["expected_error"]) is string error)
        {
            try
            {
                double value = problem.Compute(loss);
                return GoldenOutcome.Failed($"MONAI raises ({error}); the preset computed {value}");
            }
            catch (ArgumentException ex)
            {
                return new GoldenOutcome(GoldenStatus.Passed, $"refused as MONAI: {ex.Message}");
            }
        }

        return GoldenOutcome.Compare(c, problem.Compute(loss));
    }
}
