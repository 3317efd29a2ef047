using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// segmentation_models.pytorch losses: <c>DiceLoss</c>, <c>JaccardLoss</c>, <c>TverskyLoss</c> (modes binary,
/// multiclass, multilabel), <c>SoftCrossEntropyLoss</c>, <c>SoftBCEWithLogitsLoss</c>, <c>MCCLoss</c>.
/// </summary>
/// <remarks>
/// smp ≥ 0.4 scores every region with the soft-label intersection in the Tversky form (I + s)/max(I + αFP + βFN + s, ε),
/// pools the batch, and zeroes classes with an empty target; our Dice writes its smoothing in the Dice scale (×2).
/// </remarks>
internal sealed class SmpLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("segmentation_models") && file.Callable.Contains(".losses.", StringComparison.Ordinal)
        && !file.Callable.Contains("_functional", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        string callable = c.File.Callable;
        if (callable.EndsWith("SoftCrossEntropyLoss", StringComparison.Ordinal))
        {
            return SoftCrossEntropy(c);
        }

        if (callable.EndsWith("SoftBCEWithLogitsLoss", StringComparison.Ordinal))
        {
            return SoftBce(c);
        }

        if (callable.EndsWith("MCCLoss", StringComparison.Ordinal))
        {
            var mcc = new MatthewsCorrelationLoss(new MatthewsCorrelationLossOptions { Activation = Activation.None, Epsilon = c.Number("eps", 1e-5) });
            return GoldenOutcome.Compare(c, LossProblem.WithDense(c.Tensor("y_pred"), c.Tensor("y_true")).Flattened().Compute(mcc));
        }

        string kind = callable.EndsWith("DiceLoss", StringComparison.Ordinal) ? "dice"
            : callable.EndsWith("JaccardLoss", StringComparison.Ordinal) ? "jaccard"
            : callable.EndsWith("TverskyLoss", StringComparison.Ordinal) ? "tversky"
            : string.Empty;
        return kind.Length == 0 ? GoldenOutcome.Unsupported($"callable {callable} is not mapped") : Overlap(c, kind);
    }

    private static GoldenOutcome Overlap(GoldenCase c, string kind)
    {
        string mode = c.Text("mode") ?? "binary";
        bool fromLogits = c.Bool("from_logits", true);
        double smooth = c.Number("smooth", 0);
        double eps = c.Number("eps", 1e-7);
        int? ignore = c.NumberOrNull("ignore_index") is double i ? (int)i : null;
        GoldenTensor prediction = c.Tensor("y_pred");
        GoldenTensor truth = c.Tensor("y_true");

        LossProblem problem;
        Activation activation;
        switch (mode)
        {
            case "multiclass":
                problem = LossProblem.WithLabels(prediction, truth, ignore);
                activation = fromLogits ? Activation.Softmax : Activation.None;
                break;
            case "binary":
                // smp views binary predictions and targets as [N, 1, -1].
                var binaryShape = new SegmentationShape(prediction.Shape[0], 1, 1, prediction.Data.Length / prediction.Shape[0]);
                problem = LossProblem.WithDense(prediction, truth, ignore, binaryShape);
                activation = fromLogits ? Activation.Sigmoid : Activation.None;
                break;
            case "multilabel":
                problem = LossProblem.WithDense(prediction, truth, ignore);
                activation = fromLogits ? Activation.Sigmoid : Activation.None;
                break;
            default:
                return GoldenOutcome.Unsupported($"mode '{mode}'");
        }

        OverlapLossOptions options = kind switch
        {
            "dice" => new DiceLossOptions { SmoothNumerator = 2 * smooth, SmoothDenominator = 2 * smooth, Epsilon = 2 * eps },
            "jaccard" => new JaccardLossOptions { SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps },
            _ => new TverskyLossOptions
            {
                SmoothNumerator = smooth, SmoothDenominator = smooth, Epsilon = eps,
                Alpha = c.Number("alpha", 0.5), Beta = c.Number("beta", 0.5), Gamma = c.Number("gamma", 1), GammaForm = FocalTverskyForm.PowerOfMean,
            },
        };
        options.Activation = activation;
        options.SoftLabels = true;
        options.PerImage = false;
        options.EmptyTarget = EmptyTargetPolicy.ZeroLoss;
        options.LogLoss = c.Bool("log_loss", false);
        options.Classes = c.Numbers("classes")?.Select(x => (int)x).ToArray();
        options.ClassWeights = c.Numbers("class_weights");
        options.WeightNormalization = ClassWeightNormalization.SumOfWeights;
        ISegmentationLoss loss = OverlapLosses.Create(options);
        return GoldenOutcome.Compare(c, problem.Compute(loss));
    }

    private static GoldenOutcome SoftCrossEntropy(GoldenCase c)
    {
        if (c.Text("reduction") is string r && r != "mean")
        {
            return GoldenOutcome.Unsupported($"reduction '{r}'");
        }

        var loss = new CrossEntropyLoss(new CrossEntropyLossOptions
        {
            LabelSmoothing = c.Number("smooth_factor", 0),
            Averaging = PointwiseAveraging.All, // smp zeroes ignored rows but keeps them in the mean's denominator
        });
        int ignore = (int)c.Number("ignore_index", -100);
        return GoldenOutcome.Compare(c, LossProblem.WithLabels(c.Tensor("y_pred"), c.Tensor("y_true"), ignore).Compute(loss));
    }

    private static GoldenOutcome SoftBce(GoldenCase c)
    {
        if (c.Text("reduction") is string r && r != "mean")
        {
            return GoldenOutcome.Unsupported($"reduction '{r}'");
        }

        var loss = new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
        {
            LabelSmoothing = c.Number("smooth_factor", 0),
            PositiveWeights = c.Numbers("pos_weight") ?? (c.NumberOrNull("pos_weight") is double p ? new[] { p } : null),
            ClassWeights = c.Numbers("weight") ?? (c.NumberOrNull("weight") is double w ? new[] { w } : null),
            Averaging = PointwiseAveraging.All,
        });
        double ignore = c.Number("ignore_index", -100);
        return GoldenOutcome.Compare(c, LossProblem.WithDense(c.Tensor("y_pred"), c.Tensor("y_true"), ignore).Compute(loss));
    }
}
