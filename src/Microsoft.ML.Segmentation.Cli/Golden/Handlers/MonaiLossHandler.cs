using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// MONAI losses: <c>DiceLoss</c> (with <c>jaccard</c>), <c>TverskyLoss</c>, <c>GeneralizedDiceLoss</c>, <c>FocalLoss</c>
/// and <c>DiceCELoss</c>. MONAI scores each (image, class) region (<c>batch=False</c>), applies the formula to empty
/// targets as it is, and divides a weighted mean by the number of regions.
/// </summary>
internal sealed class MonaiLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.StartsWith("monai.losses.", StringComparison.Ordinal)
        && !file.Callable.Contains("Hausdorff", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        string callable = c.File.Callable;
        string reduction = c.Text("reduction") ?? "mean";
        if (callable.EndsWith("DiceCELoss", StringComparison.Ordinal))
        {
            return DiceCe(c);
        }

        if (callable.EndsWith("FocalLoss", StringComparison.Ordinal))
        {
            return Focal(c, reduction);
        }

        LossProblem problem = Problem(c);
        Activation activation = ActivationOf(c, problem, out problem);
        RegionLoss loss;
        if (callable.EndsWith("GeneralizedDiceLoss", StringComparison.Ordinal))
        {
            loss = new GeneralizedDiceLoss(new GeneralizedDiceLossOptions
            {
                Activation = activation,
                Weighting = (c.Text("w_type") ?? "square") switch
                {
                    "square" => GeneralizedDiceWeighting.Square,
                    "simple" => GeneralizedDiceWeighting.Simple,
                    "uniform" => GeneralizedDiceWeighting.Uniform,
                    string other => throw new NotSupportedException($"w_type '{other}'"),
                },
                SmoothNumerator = c.Number("smooth_nr", 1e-5),
                SmoothDenominator = c.Number("smooth_dr", 1e-5),
                PerImage = !c.Bool("batch", false),
                IncludeBackground = c.Bool("include_background", true),
                Reduction = reduction == "sum" ? LossReduction.Sum : LossReduction.Mean,
            });
        }
        else
        {
            loss = Overlap(c, activation, problem.Shape.Classes);
        }

        return reduction == "none"
            ? GoldenOutcome.Compare(c, loss.ComputeTerms<double>(problem.Input, problem.Shape, problem.Target()))
            : GoldenOutcome.Compare(c, problem.Compute(loss));
    }

    /// <summary>MONAI <c>DiceLoss</c> / <c>TverskyLoss</c> on our overlap losses.</summary>
    internal static OverlapLoss Overlap(GoldenCase c, Activation activation, int classes, IReadOnlyList<double>? weight = null)
    {
        double nr = c.Number("smooth_nr", 1e-5);
        double dr = c.Number("smooth_dr", 1e-5);
        bool tversky = c.File.Callable.EndsWith("TverskyLoss", StringComparison.Ordinal);
        bool jaccard = !tversky && c.Bool("jaccard", false);
        OverlapLossOptions options = tversky
            ? new TverskyLossOptions { Alpha = c.Number("alpha", 0.5), Beta = c.Number("beta", 0.5), SmoothNumerator = nr, SmoothDenominator = dr }
            : jaccard
                ? new JaccardLossOptions { SmoothNumerator = nr / 2, SmoothDenominator = dr / 2 } // MONAI writes (2TP + nr)/(2(ΣP + ΣT − TP) + dr)
                : new DiceLossOptions { SmoothNumerator = nr, SmoothDenominator = dr };
        options.Activation = activation;
        options.Epsilon = 0; // MONAI does not clamp
        options.Denominator = c.Bool("squared_pred", false) ? OverlapDenominator.Squared : OverlapDenominator.Linear;
        options.SoftLabels = c.Bool("soft_label", false) && options.Denominator == OverlapDenominator.Linear;
        options.PerImage = !c.Bool("batch", false);
        options.IncludeBackground = c.Bool("include_background", true) || classes == 1;
        options.EmptyTarget = EmptyTargetPolicy.Compute;
        options.WeightNormalization = ClassWeightNormalization.Count;
        options.Reduction = (c.Text("reduction") ?? "mean") == "sum" ? LossReduction.Sum : LossReduction.Mean;
        weight ??= c.Numbers("weight");
        if (weight is not null)
        {
            // MONAI's weight covers the classes the loss keeps; ours is indexed by channel.
            options.ClassWeights = weight.Count == classes ? weight : weight.Count == classes - 1 && !options.IncludeBackground
                ? new[] { 0.0 }.Concat(weight).ToArray()
                : throw new InvalidDataException($"weight has {weight.Count} entries for {classes} channels");
        }

        return OverlapLosses.Create(options);
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

    /// <summary>sigmoid / softmax / other_act, in MONAI's order; a softmax over one channel is skipped, as MONAI does.</summary>
    private static Activation ActivationOf(GoldenCase c, LossProblem problem, out LossProblem adjusted)
    {
        adjusted = problem;
        if (c.Bool("sigmoid", false))
        {
            return Activation.Sigmoid;
        }

        if (c.Bool("softmax", false) && problem.Shape.Classes > 1)
        {
            return Activation.Softmax;
        }

        if (c.Text("other_act") is string act)
        {
            adjusted = problem.WithOtherActivation(act);
        }

        return Activation.None;
    }

    private static GoldenOutcome Focal(GoldenCase c, string reduction)
    {
        LossProblem problem = Problem(c);
        if (!c.Bool("include_background", true) && problem.Shape.Classes > 1)
        {
            problem = problem.WithoutBackground(); // MONAI drops channel 0 before the activation
        }

        bool softmax = c.Bool("use_softmax", false);
        var loss = new FocalLoss(new FocalLossOptions
        {
            Activation = softmax ? Activation.Softmax : Activation.Sigmoid,
            Gamma = c.Number("gamma", 2),
            Alpha = c.NumberOrNull("alpha"),
            ClassWeights = c.Numbers("weight") ?? (c.NumberOrNull("weight") is double w ? new[] { w } : null),
            Averaging = softmax ? PointwiseAveraging.ValidElements : PointwiseAveraging.Valid,
        });
        switch (reduction)
        {
            case "none":
                return GoldenOutcome.Compare(c, loss.ComputeTerms<double>(problem.Input, problem.Shape, problem.Target()));
            case "mean":
                return GoldenOutcome.Compare(c, problem.Compute(loss));
            case "sum":
                // MONAI sums the per-(image, class) spatial means.
                double[] terms = loss.ComputeTerms<double>(problem.Input, problem.Shape, problem.Target());
                return GoldenOutcome.Compare(c, terms.Sum() / problem.Shape.PixelsPerImage);
            default:
                return GoldenOutcome.Unsupported($"reduction '{reduction}'");
        }
    }

    private static GoldenOutcome DiceCe(GoldenCase c)
    {
        LossProblem problem = Problem(c);
        int classes = problem.Shape.Classes;
        double[]? weight = c.Numbers("weight");
        Activation activation = c.Bool("sigmoid", false) ? Activation.Sigmoid : c.Bool("softmax", false) && classes > 1 ? Activation.Softmax : Activation.None;
        if (c.Text("other_act") is not null)
        {
            return GoldenOutcome.Unsupported("other_act with DiceCELoss");
        }

        ISegmentationLoss dice = Overlap(c, activation, classes, weight);
        ISegmentationLoss ce = classes == 1
            ? new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = weight })
            : new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = weight, LabelSmoothing = c.Number("label_smoothing", 0) });
        var loss = new CombinedLoss((dice, c.Number("lambda_dice", 1)), (ce, c.Number("lambda_ce", 1)));
        return GoldenOutcome.Compare(c, problem.Compute(loss));
    }
}
