using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// segmentation_models.pytorch losses through the <see cref="Smp"/> presets: <c>DiceLoss</c>, <c>JaccardLoss</c>,
/// <c>TverskyLoss</c>, <c>FocalLoss</c>, <c>LovaszLoss</c> (modes binary, multiclass, multilabel),
/// <c>SoftCrossEntropyLoss</c>, <c>SoftBCEWithLogitsLoss</c>, <c>MCCLoss</c>. This handler only reads the case and lays
/// the tensors out (smp views binary tensors as [N, 1, -1]); <c>ignore_index</c> travels to the preset.
/// </summary>
internal sealed class SmpLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("segmentation_models") && file.Callable.Contains(".losses.", StringComparison.Ordinal)
        && !file.Callable.Contains("_functional", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        try
        {
            return RunPreset(c);
        }
        catch (NotSupportedException ex)
        {
            return GoldenOutcome.Unsupported(ex.Message);
        }
    }

    private static GoldenOutcome RunPreset(GoldenCase c)
    {
        string callable = c.File.Callable;
        string name = callable[(callable.LastIndexOf('.') + 1)..].Split('(', ' ')[0];
        int? ignore = c.NumberOrNull("ignore_index") is double i ? (int)i : null;
        switch (name)
        {
            case "SoftCrossEntropyLoss":
                ISegmentationLoss ce = Smp.SoftCrossEntropyLoss(c.Text("reduction") ?? "mean", c.Number("smooth_factor", 0), ignore ?? -100, (int)c.Number("dim", 1));
                return GoldenOutcome.Compare(c, LossProblem.WithLabels(c.Tensor("y_pred"), c.Tensor("y_true"), null).Compute(ce));
            case "SoftBCEWithLogitsLoss":
                ISegmentationLoss bce = Smp.SoftBCEWithLogitsLoss(Numbers(c, "weight"), ignore ?? -100, c.Text("reduction") ?? "mean",
                    c.NumberOrNull("smooth_factor"), Numbers(c, "pos_weight"));
                return GoldenOutcome.Compare(c, LossProblem.WithDense(c.Tensor("y_pred"), c.Tensor("y_true")).Compute(bce));
            case "MCCLoss":
                ISegmentationLoss mcc = Smp.MCCLoss(c.Number("eps", 1e-5));
                return GoldenOutcome.Compare(c, LossProblem.WithDense(c.Tensor("y_pred"), c.Tensor("y_true")).Flattened().Compute(mcc));
        }

        string mode = c.Text("mode") ?? "binary";
        bool fromLogits = c.Bool("from_logits", true);
        int[]? classes = c.Numbers("classes")?.Select(x => (int)x).ToArray();
        double[]? classWeights = c.Numbers("class_weights");
        ISegmentationLoss loss = name switch
        {
            "DiceLoss" => Smp.DiceLoss(mode, classes, c.Bool("log_loss", false), fromLogits, c.Number("smooth", 0), ignore, c.Number("eps", 1e-7), classWeights),
            "JaccardLoss" => Smp.JaccardLoss(mode, classes, c.Bool("log_loss", false), fromLogits, c.Number("smooth", 0), ignore, c.Number("eps", 1e-7), classWeights),
            "TverskyLoss" => Smp.TverskyLoss(mode, classes, c.Bool("log_loss", false), fromLogits, c.Number("smooth", 0), ignore, c.Number("eps", 1e-7),
                c.Number("alpha", 0.5), c.Number("beta", 0.5), c.Number("gamma", 1), classWeights),
            "FocalLoss" => Smp.FocalLoss(mode, c.NumberOrNull("alpha"), c.Number("gamma", 2), ignore, fromLogits, c.Number("eps", 1e-7),
                c.Text("reduction") ?? "mean", c.Bool("normalized", false), c.NumberOrNull("reduced_threshold"), classWeights),
            "LovaszLoss" => Smp.LovaszLoss(mode, c.Bool("per_image", false), ignore, fromLogits),
            _ => throw new NotSupportedException($"callable {callable} is not mapped"),
        };
        return GoldenOutcome.Compare(c, Problem(c, mode).Compute(loss));
    }

    /// <summary>Scores with their target as smp's <c>mode</c> reads them (the ignore marker is left to the preset).</summary>
    private static LossProblem Problem(GoldenCase c, string mode)
    {
        GoldenTensor prediction = c.Tensor("y_pred");
        GoldenTensor truth = c.Tensor("y_true");
        return mode switch
        {
            "multiclass" => LossProblem.WithLabels(prediction, truth, null),

            // smp views binary predictions and targets as [N, 1, -1].
            "binary" => LossProblem.WithDense(prediction, truth, null, new SegmentationShape(prediction.Shape[0], 1, 1, prediction.Data.Length / prediction.Shape[0])),
            "multilabel" => LossProblem.WithDense(prediction, truth),
            _ => throw new NotSupportedException($"mode '{mode}'"),
        };
    }

    private static double[]? Numbers(GoldenCase c, string name)
        => c.Numbers(name) ?? (c.NumberOrNull(name) is double v ? new[] { v } : null);
}
