using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI losses through the <see cref="Monai"/> presets: <c>DiceLoss</c> (with <c>jaccard</c>), <c>TverskyLoss</c>,
/// <c>GeneralizedDiceLoss</c>, <c>FocalLoss</c>, <c>DiceCELoss</c> and <c>DiceFocalLoss</c>. This handler only reads the
/// case: <c>to_onehot_y</c> picks a label map or a dense target, <c>other_act</c> is applied to the scores, and
/// <c>reduction="none"</c> asks the preset's loss for its terms.
/// </summary>
internal sealed class MonaiLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.StartsWith("monai.losses.", StringComparison.Ordinal)
        && !file.Callable.Contains("Hausdorff", StringComparison.Ordinal) && !MonaiTopologyLosses.Claims(file);

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
        string reduction = c.Text("reduction") ?? "mean";
        string name = callable["monai.losses.".Length..].Split('(', ' ')[0];
        LossProblem problem = Problem(c);
        if (name is "DiceCELoss" or "DiceFocalLoss" && c.Text("other_act") is not null)
        {
            return GoldenOutcome.Unsupported($"other_act with {name}");
        }

        if (c.Text("other_act") is string act)
        {
            problem = problem.WithOtherActivation(act);
        }

        if (name == "FocalLoss")
        {
            return Focal(c, problem, reduction);
        }

        string presetReduction = reduction == "none" ? "mean" : reduction;
        PeerLoss loss = name switch
        {
            "DiceLoss" => Monai.DiceLoss(
                includeBackground: c.Bool("include_background", true), sigmoid: c.Bool("sigmoid", false), softmax: c.Bool("softmax", false),
                squaredPred: c.Bool("squared_pred", false), jaccard: c.Bool("jaccard", false), reduction: presetReduction,
                smoothNr: c.Number("smooth_nr", 1e-5), smoothDr: c.Number("smooth_dr", 1e-5), batch: c.Bool("batch", false),
                weight: Weight(c), softLabel: c.Bool("soft_label", false)),
            "TverskyLoss" => Monai.TverskyLoss(
                includeBackground: c.Bool("include_background", true), sigmoid: c.Bool("sigmoid", false), softmax: c.Bool("softmax", false),
                alpha: c.Number("alpha", 0.5), beta: c.Number("beta", 0.5), reduction: presetReduction,
                smoothNr: c.Number("smooth_nr", 1e-5), smoothDr: c.Number("smooth_dr", 1e-5), batch: c.Bool("batch", false),
                softLabel: c.Bool("soft_label", false)),
            "GeneralizedDiceLoss" => Monai.GeneralizedDiceLoss(
                includeBackground: c.Bool("include_background", true), sigmoid: c.Bool("sigmoid", false), softmax: c.Bool("softmax", false),
                wType: c.Text("w_type") ?? "square", reduction: presetReduction,
                smoothNr: c.Number("smooth_nr", 1e-5), smoothDr: c.Number("smooth_dr", 1e-5), batch: c.Bool("batch", false),
                softLabel: c.Bool("soft_label", false)),
            "DiceCELoss" => Monai.DiceCELoss(
                includeBackground: c.Bool("include_background", true), sigmoid: c.Bool("sigmoid", false), softmax: c.Bool("softmax", false),
                squaredPred: c.Bool("squared_pred", false), jaccard: c.Bool("jaccard", false), reduction: presetReduction,
                smoothNr: c.Number("smooth_nr", 1e-5), smoothDr: c.Number("smooth_dr", 1e-5), batch: c.Bool("batch", false),
                weight: Weight(c), lambdaDice: c.Number("lambda_dice", 1), lambdaCe: c.Number("lambda_ce", 1),
                labelSmoothing: c.Number("label_smoothing", 0)),
            "DiceFocalLoss" => Monai.DiceFocalLoss(
                includeBackground: c.Bool("include_background", true), sigmoid: c.Bool("sigmoid", false), softmax: c.Bool("softmax", false),
                squaredPred: c.Bool("squared_pred", false), jaccard: c.Bool("jaccard", false), reduction: presetReduction,
                smoothNr: c.Number("smooth_nr", 1e-5), smoothDr: c.Number("smooth_dr", 1e-5), batch: c.Bool("batch", false),
                gamma: c.Number("gamma", 2), weight: Weight(c), lambdaDice: c.Number("lambda_dice", 1),
                lambdaFocal: c.Number("lambda_focal", 1), alpha: c.NumberOrNull("alpha")),
            _ => throw new NotSupportedException($"callable {callable} is not mapped"),
        };

        if (reduction != "none")
        {
            return GoldenOutcome.Compare(c, problem.Compute(loss));
        }

        return loss.ForChannels(problem.Shape.Classes) is RegionLoss region
            ? GoldenOutcome.Compare(c, region.ComputeTerms<double>(problem.Input, problem.Shape, problem.Target()))
            : GoldenOutcome.Unsupported($"reduction 'none' with {name}");
    }

    /// <summary>The input with its target: a label map when <c>to_onehot_y</c>, else a dense one-hot (or soft) target.</summary>
    internal static LossProblem Problem(GoldenCase c)
    {
        GoldenTensor input = c.Tensor("input");
        GoldenTensor target = c.Tensor("target");
        return c.Bool("to_onehot_y", false)
            ? LossProblem.WithLabels(input, target, null)
            : LossProblem.WithDense(input, target);
    }

    /// <summary>MONAI's <c>weight</c>: a list, or one number for every class.</summary>
    private static double[]? Weight(GoldenCase c)
        => c.Numbers("weight") ?? (c.NumberOrNull("weight") is double w ? new[] { w } : null);

    private static GoldenOutcome Focal(GoldenCase c, LossProblem problem, string reduction)
    {
        bool includeBackground = c.Bool("include_background", true);
        bool softmax = c.Bool("use_softmax", false);
        double gamma = c.Number("gamma", 2);
        double? alpha = c.NumberOrNull("alpha");
        if (reduction == "mean")
        {
            PeerLoss loss = Monai.FocalLoss(includeBackground, gamma, alpha, Weight(c), "mean", softmax);
            return GoldenOutcome.Compare(c, problem.Compute(loss));
        }

        // "none" and "sum" are formulas of the per-element terms of the loss on the kept channels.
        if (!includeBackground && problem.Shape.Classes > 1)
        {
            problem = problem.WithoutBackground();
            alpha = softmax ? null : alpha; // MONAI drops alpha for a softmax focal loss without the background
        }

        var focal = (FocalLoss)Monai.FocalLoss(true, gamma, alpha, Weight(c), "mean", softmax).ForChannels(problem.Shape.Classes);
        double[] terms = focal.ComputeTerms<double>(problem.Input, problem.Shape, problem.Target());
        return reduction switch
        {
            "none" => GoldenOutcome.Compare(c, terms),
            "sum" => GoldenOutcome.Compare(c, terms.Sum() / problem.Shape.PixelsPerImage), // MONAI sums the per-(image, class) spatial means
            _ => GoldenOutcome.Unsupported($"reduction '{reduction}'"),
        };
    }
}
