using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>HausdorffDTLoss</c> and <c>LogHausdorffDTLoss</c> on <see cref="HausdorffDistanceLoss"/>. A case is checked
/// against its expectation, and also against an <c>expected_LogHausdorffDTLoss</c> when it carries one. Inputs are
/// [B,C,H,W], or [B,C,D,H,W] volumes (3-D distance fields).
/// </summary>
internal sealed class MonaiHausdorffLossHandler : IGoldenHandler
{
    private const string LogExpectation = "expected_LogHausdorffDTLoss";

    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.StartsWith("monai.losses.", StringComparison.Ordinal)
        && file.Callable.Contains("HausdorffDTLoss", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        GoldenTensor input = c.Tensor("input");
        GoldenTensor target = c.Tensor("target");
        if (Plane(input.Shape, out int[]? volume) is not SegmentationShape shape)
        {
            return GoldenOutcome.Unsupported($"input [{string.Join(",", input.Shape)}]: MONAI takes NCHW or NCHWD");
        }

        int classes = shape.Classes;
        LossProblem problem = c.Bool("to_onehot_y", false) && classes > 1
            ? Labels(input, target, shape)
            : Dense(input, target, shape);

        bool sigmoid = c.Bool("sigmoid", false);
        bool softmax = c.Bool("softmax", false);
        string? otherAct = c.Text("other_act");
        if ((sigmoid ? 1 : 0) + (softmax ? 1 : 0) + (otherAct is null ? 0 : 1) > 1)
        {
            return GoldenOutcome.Unsupported("more than one of sigmoid, softmax and other_act");
        }

        if (otherAct is not null)
        {
            try
            {
                problem = problem.WithOtherActivation(otherAct); // the loss then sees the activated scores as they are
            }
            catch (NotSupportedException ex)
            {
                return GoldenOutcome.Unsupported(ex.Message);
            }
        }

        string reduction = c.Text("reduction") ?? "mean";
        if (reduction is not ("mean" or "sum" or "none"))
        {
            return GoldenOutcome.Unsupported($"reduction '{reduction}'");
        }

        bool logPrimary = c.File.Callable.StartsWith("monai.losses.LogHausdorffDTLoss", StringComparison.Ordinal);
        GoldenOutcome primary = GoldenOutcome.Compare(c, Evaluate(c, logPrimary, sigmoid, softmax, volume, problem, reduction));
        if (primary.Status != GoldenStatus.Passed || logPrimary || c.Node[LogExpectation] is null)
        {
            return primary;
        }

        GoldenOutcome log = GoldenOutcome.Compare(c.Node[LogExpectation], c.Tolerance, Evaluate(c, true, sigmoid, softmax, volume, problem, reduction));
        return log.Status == GoldenStatus.Passed
            ? primary with { Message = $"{primary.Message}; log {log.Message}" }
            : log with { Message = $"LogHausdorffDTLoss: {log.Message}" };
    }

    /// <summary>The preset the case names (reduction "none" asks its loss for the terms).</summary>
    private static double[] Evaluate(GoldenCase c, bool logLoss, bool sigmoid, bool softmax, int[]? volume, LossProblem problem, string reduction)
    {
        string presetReduction = reduction == "none" ? "mean" : reduction;
        double alpha = c.Number("alpha", 2);
        bool includeBackground = c.Bool("include_background", false);
        bool batch = c.Bool("batch", false);
        PeerLoss preset = logLoss
            ? Monai.LogHausdorffDTLoss(alpha, includeBackground, sigmoid, softmax, presetReduction, batch, volume)
            : Monai.HausdorffDTLoss(alpha, includeBackground, sigmoid, softmax, presetReduction, batch, volume);
        return reduction == "none"
            ? ((HausdorffDistanceLoss)preset.ForChannels(problem.Shape.Classes)).ComputeTerms<double>(problem.Input, problem.Shape, problem.Target())
            : new[] { problem.Compute(preset) };
    }

    /// <summary>[B,C,H,W] as it is; [B,C,D,H,W] as [B,C,D·H,W] with the volume's axes in the options.</summary>
    private static SegmentationShape? Plane(int[] d, out int[]? volume)
    {
        volume = null;
        switch (d.Length)
        {
            case 4:
                return new SegmentationShape(d[0], d[1], d[2], d[3]);
            case 5:
                volume = d[2..];
                return new SegmentationShape(d[0], d[1], d[2] * d[3], d[4]);
            default:
                return null; // MONAI takes only NCHW and NCHWD
        }
    }

    /// <summary>A class-index map [B,1,spatial…] (<c>to_onehot_y</c>).</summary>
    private static LossProblem Labels(GoldenTensor input, GoldenTensor target, SegmentationShape shape)
    {
        if (target.Data.Length != shape.PixelCount)
        {
            throw new InvalidDataException($"'{target.Name}' has {target.Data.Length} labels; input {shape} needs {shape.PixelCount}.");
        }

        return new LossProblem(input.Data, shape, target.Data.Select(v => (int)v).ToArray(), null, null);
    }

    /// <summary>A target of the input's shape (one-hot, or a binary mask for one channel).</summary>
    private static LossProblem Dense(GoldenTensor input, GoldenTensor target, SegmentationShape shape)
    {
        if (target.Data.Length != shape.ElementCount)
        {
            throw new InvalidDataException($"'{target.Name}' has {target.Data.Length} values; input {shape} needs {shape.ElementCount}.");
        }

        return new LossProblem(input.Data, shape, null, null, target.Data);
    }
}
