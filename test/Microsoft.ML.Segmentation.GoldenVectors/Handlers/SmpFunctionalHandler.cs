using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// smp's functional helpers: <c>soft_dice_score</c>, <c>soft_jaccard_score</c>, <c>soft_tversky_score</c> (score = 1 − our
/// loss with no activation and no empty-target rule) and <c>focal_loss_with_logits</c> /
/// <c>softmax_focal_loss_with_logits</c>.
/// </summary>
internal sealed class SmpFunctionalHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("segmentation_models")
        && (file.Callable.Contains("_functional", StringComparison.Ordinal) || file.Callable.Contains("focal_loss_with_logits", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase c)
    {
        if (c.HasInput("output") && c.Tensor("output").Semantics.Contains("logits", StringComparison.Ordinal))
        {
            return Focal(c);
        }

        string function = c.Api;
        double smooth = c.Number("smooth", 0);
        double eps = c.Number("eps", 1e-7);
        GoldenTensor output = c.Tensor("output");
        GoldenTensor target = c.Tensor("target");
        double[]? dims = c.Numbers("dims");
        LossProblem problem;
        bool perImage;
        if (dims is null)
        {
            problem = LossProblem.WithDense(output, target).Flattened();
            perImage = false;
        }
        else if (dims.SequenceEqual(Enumerable.Range(1, output.Rank - 1).Select(d => (double)d)) && function.Contains(".mean()", StringComparison.Ordinal))
        {
            // Reduced over every axis but the first, then averaged: one region per row.
            int rows = output.Shape[0];
            problem = LossProblem.WithDense(output, target, shape: new SegmentationShape(rows, 1, 1, output.Data.Length / rows));
            perImage = true;
        }
        else
        {
            return GoldenOutcome.Unsupported($"dims [{string.Join(",", dims)}] without a mean over the rest");
        }

        OverlapLossOptions options = function.StartsWith("soft_dice_score", StringComparison.Ordinal)
            ? new DiceLossOptions { SmoothNumerator = 2 * smooth, SmoothDenominator = 2 * smooth, Epsilon = 2 * eps }
            : function.StartsWith("soft_jaccard_score", StringComparison.Ordinal)
                ? new JaccardLossOptions { SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps }
                : new TverskyLossOptions { SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps, Alpha = c.Number("alpha", 0.5), Beta = c.Number("beta", 0.5) };
        options.Activation = Activation.None;
        options.SoftLabels = true;
        options.PerImage = perImage;
        options.EmptyTarget = EmptyTargetPolicy.Compute;
        ISegmentationLoss loss = OverlapLosses.Create(options);
        return GoldenOutcome.Compare(c, 1 - problem.Compute(loss));
    }

    private static GoldenOutcome Focal(GoldenCase c)
    {
        if (c.Text("reduction") is string r && r != "mean")
        {
            return GoldenOutcome.Unsupported($"reduction '{r}'");
        }

        GoldenTensor output = c.Tensor("output");
        GoldenTensor target = c.Tensor("target");
        bool softmax = output.Rank == target.Rank + 1 && target.Semantics.Contains("class ind", StringComparison.Ordinal);
        var options = new FocalLossOptions
        {
            Activation = softmax ? Activation.Softmax : Activation.Sigmoid,
            Gamma = c.Number("gamma", 2),
            Alpha = softmax ? null : c.NumberOrNull("alpha"), // softmax_focal_loss_with_logits has no alpha
            Normalized = c.Bool("normalized", false),
            ReducedThreshold = c.NumberOrNull("reduced_threshold"),
            NormalizationEpsilon = c.Number("eps", 1e-6),
        };
        LossProblem problem = softmax ? LossProblem.WithLabels(output, target, null) : LossProblem.WithDense(output, target).Flattened();
        return GoldenOutcome.Compare(c, problem.Compute(new FocalLoss(options)));
    }
}
