using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Cli.Golden.Handlers;

/// <summary>
/// mmsegmentation losses: <c>CrossEntropyLoss</c> (softmax or sigmoid; class weights; <c>avg_non_ignore</c>) and the
/// 1.x <c>DiceLoss</c> (one region per image over all kept channels; V-Net or naive denominator).
/// </summary>
internal sealed class MmsegLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("mmseg") && file.Callable.StartsWith("mmseg.models.losses.", StringComparison.Ordinal)
        && (file.Callable.Contains("CrossEntropyLoss", StringComparison.Ordinal) || file.Callable.Contains("DiceLoss", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase c)
    {
        if ((c.Text("reduction") ?? "mean") != "mean")
        {
            return GoldenOutcome.Unsupported($"reduction '{c.Text("reduction")}'");
        }

        return c.File.Callable.Contains("CrossEntropyLoss", StringComparison.Ordinal) ? CrossEntropy(c) : Dice(c);
    }

    private static GoldenOutcome CrossEntropy(GoldenCase c)
    {
        int ignore = (int)c.Number("forward.ignore_index", c.Number("ignore_index", -100));
        bool nonIgnore = c.Bool("avg_non_ignore", false);
        double[]? classWeight = c.Numbers("class_weight");
        double lossWeight = c.Number("loss_weight", 1);
        LossProblem problem = LossProblem.WithLabels(c.Tensor("cls_score"), c.Tensor("label"), ignore);
        ISegmentationLoss loss = c.Bool("use_sigmoid", false)
            ? new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions
            {
                PositiveWeights = classWeight,
                Averaging = nonIgnore ? PointwiseAveraging.Valid : PointwiseAveraging.All,
            })
            : new CrossEntropyLoss(new CrossEntropyLossOptions
            {
                ClassWeights = classWeight,
                Averaging = nonIgnore ? PointwiseAveraging.Valid : PointwiseAveraging.All, // mmseg ≤ 1.0 divides the weighted sum by the pixel count
            });
        return GoldenOutcome.Compare(c, lossWeight * problem.Compute(loss));
    }

    private static GoldenOutcome Dice(GoldenCase c)
    {
        GoldenTensor pred = c.Tensor("pred");
        GoldenTensor target = c.Tensor("target");
        int ignore = (int)c.Number("ignore_index", 255);
        double eps = c.Number("eps", 1e-3);
        SegmentationShape shape = LossProblem.ShapeOf(pred);
        LossProblem problem = target.Data.Length == shape.ElementCount
            ? LossProblem.WithDense(pred, target)
            // Labels become one-hot rows; an ignored pixel's row is all zero but its prediction still counts.
            : new LossProblem(pred.Data, shape, null, null, LossProblem.OneHot(shape, target.Data.Select(v => (int)v).ToArray(), ignore, ignoredAsZero: true));
        bool naive = c.Bool("naive_dice", false);
        var options = new DiceLossOptions
        {
            Activation = !c.Bool("activate", true) ? Activation.None : c.Bool("use_sigmoid", true) ? Activation.Sigmoid : Activation.Softmax,
            Denominator = naive ? OverlapDenominator.Linear : OverlapDenominator.Squared,
            SmoothNumerator = naive ? eps : 0,
            SmoothDenominator = naive ? eps : 2 * eps, // V-Net: (Σp² + ε) + (Σt² + ε)
            Epsilon = 0,
            PerImage = true,
            PoolClasses = true,
            EmptyTarget = EmptyTargetPolicy.Compute,
            Classes = Enumerable.Range(0, shape.Classes).Where(k => k != ignore).ToArray(), // the channel equal to ignore_index is dropped
        };
        return GoldenOutcome.Compare(c, c.Number("loss_weight", 1) * problem.Compute(new DiceLoss(options)));
    }
}
