using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// mmsegmentation losses through the <see cref="Mmseg"/> presets: <c>CrossEntropyLoss</c> (softmax or sigmoid; class
/// weights; <c>avg_non_ignore</c>) and the 1.x <c>DiceLoss</c>. This handler only reads the case.
/// </summary>
internal sealed class MmsegLossHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("mmseg") && file.Callable.StartsWith("mmseg.models.losses.", StringComparison.Ordinal)
        && (file.Callable.Contains("CrossEntropyLoss", StringComparison.Ordinal) || file.Callable.Contains("DiceLoss", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase c)
    {
        try
        {
            return c.File.Callable.Contains("CrossEntropyLoss", StringComparison.Ordinal) ? CrossEntropy(c) : Dice(c);
        }
        catch (NotSupportedException ex)
        {
            return GoldenOutcome.Unsupported(ex.Message);
        }
    }

    private static GoldenOutcome CrossEntropy(GoldenCase c)
    {
        int ignore = (int)c.Number("forward.ignore_index", c.Number("ignore_index", -100));
        ISegmentationLoss loss = Mmseg.CrossEntropyLoss(c.Bool("use_sigmoid", false), c.Bool("use_mask", false), c.Text("reduction") ?? "mean",
            c.Numbers("class_weight"), c.Number("loss_weight", 1), c.Bool("avg_non_ignore", false), ignore);
        return GoldenOutcome.Compare(c, LossProblem.WithLabels(c.Tensor("cls_score"), c.Tensor("label"), null).Compute(loss));
    }

    private static GoldenOutcome Dice(GoldenCase c)
    {
        GoldenTensor pred = c.Tensor("pred");
        GoldenTensor target = c.Tensor("target");
        ISegmentationLoss loss = Mmseg.DiceLoss(c.Bool("use_sigmoid", true), c.Bool("activate", true), c.Text("reduction") ?? "mean",
            c.Bool("naive_dice", false), c.Number("loss_weight", 1), (int)c.Number("ignore_index", 255), c.Number("eps", 1e-3));
        SegmentationShape shape = LossProblem.ShapeOf(pred);
        LossProblem problem = target.Data.Length == shape.ElementCount
            ? LossProblem.WithDense(pred, target)
            : new LossProblem(pred.Data, shape, target.Data.Select(v => (int)v).ToArray(), null, null); // the preset one-hots labels as mmseg does
        return GoldenOutcome.Compare(c, problem.Compute(loss));
    }
}
