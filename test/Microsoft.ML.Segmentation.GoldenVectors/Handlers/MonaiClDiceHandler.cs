using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>SoftclDiceLoss</c> and <c>SoftDiceclDiceLoss</c> through <see cref="Monai.SoftclDiceLoss"/> and
/// <see cref="Monai.SoftDiceclDiceLoss"/> (a case is checked against <c>expected</c> and, when it has one,
/// <c>expected_SoftDiceclDiceLoss</c>), and the helpers <c>soft_dilate</c>, <c>soft_erode</c>, <c>soft_skel</c> through
/// the skeleton kernel. Inputs are [B,C,H,W], or [B,C,H,W,D] volumes (3-D pools).
/// </summary>
internal sealed partial class MonaiClDiceHandler : IGoldenHandler
{
    private const string DiceExpectation = "expected_SoftDiceclDiceLoss";

    public bool CanRun(GoldenFile file) => file.IsLibrary("MONAI") && file.Callable.Contains("clDice", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase c)
    {
        if (c.Api.Contains("monai.losses.cldice.soft_", StringComparison.Ordinal))
        {
            return Helper(c);
        }

        GoldenTensor prediction = MonaiTopologyLosses.Tensor(c, "y_pred");
        GoldenTensor truth = MonaiTopologyLosses.Tensor(c, "y_true");
        (SegmentationShape shape, int[] axes) = Layout(prediction.Shape);
        var problem = new LossProblem(prediction.Data, shape, null, null, truth.Data);
        int iter = (int)c.Number("iter_", 3);
        double smooth = c.Number("smooth", 1.0);
        GoldenOutcome clDice = GoldenOutcome.Compare(c, problem.Compute(Monai.SoftclDiceLoss(iter, smooth, axes)));
        if (clDice.Status != GoldenStatus.Passed || c.Node[DiceExpectation] is null)
        {
            return clDice;
        }

        double mixed = problem.Compute(Monai.SoftDiceclDiceLoss(iter, c.Number("alpha", 0.5), smooth, axes));
        GoldenOutcome dice = GoldenOutcome.Compare(c.Node[DiceExpectation], c.Tolerance, [mixed]);
        return dice.Status == GoldenStatus.Passed
            ? clDice with { Message = $"{clDice.Message}; SoftDiceclDice {dice.Message}" }
            : dice with { Message = $"SoftDiceclDiceLoss: {dice.Message}" };
    }

    /// <summary>soft_dilate / soft_erode / soft_skel(iter_=k) on every (image, channel) map.</summary>
    private static GoldenOutcome Helper(GoldenCase c)
    {
        GoldenTensor image = c.Tensor("img");
        (SegmentationShape shape, int[] axes) = Layout(image.Shape);
        int s = shape.PixelsPerImage;
        var result = new double[image.Data.Length];
        Match iterations = IterPattern().Match(c.Api);
        for (int r = 0; r < shape.Batch * shape.Classes; r++)
        {
            ReadOnlySpan<double> map = image.Data.AsSpan(r * s, s);
            Span<double> output = result.AsSpan(r * s, s);
            if (c.Api.Contains("soft_skel", StringComparison.Ordinal))
            {
                SoftSkeleton.Skeletonize(map, axes, iterations.Success ? int.Parse(iterations.Groups[1].Value) : 3).CopyTo(output);
            }
            else if (c.Api.Contains("soft_dilate", StringComparison.Ordinal))
            {
                SoftSkeleton.Dilate(map, axes, output, new int[s]);
            }
            else if (c.Api.Contains("soft_erode", StringComparison.Ordinal))
            {
                SoftSkeleton.Erode(map, axes, output, new int[s]);
            }
            else
            {
                return GoldenOutcome.Unsupported($"helper '{c.Api}'");
            }
        }

        return GoldenOutcome.Compare(c, result);
    }

    /// <summary>[B,C,spatial…] as [B,C,1,Π spatial] with the spatial axes for the pools.</summary>
    private static (SegmentationShape Shape, int[] Axes) Layout(int[] d)
    {
        if (d.Length is < 4 or > 5)
        {
            throw new InvalidDataException($"[{string.Join(",", d)}]: MONAI's clDice takes [B,C,H,W] or [B,C,H,W,D].");
        }

        int[] axes = d[2..];
        return (new SegmentationShape(d[0], d[1], 1, axes.Aggregate(1, (a, b) => a * b)), axes);
    }

    [GeneratedRegex(@"iter_=(\d+)")]
    private static partial Regex IterPattern();
}
