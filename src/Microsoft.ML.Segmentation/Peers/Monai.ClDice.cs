using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

public static partial class Monai
{
    /// <summary>
    /// MONAI 1.5 <c>SoftclDiceLoss</c>: <c>1 − 2PR/(P + R)</c> from the soft skeletons (topology precision P and
    /// sensitivity R), summed over batch, channels 1.. and space. MONAI's <c>forward(y_true, y_pred)</c> takes the target
    /// first; the value is symmetric, and SegML's <c>Compute</c> takes the scores first as always.
    /// </summary>
    /// <param name="iter">MONAI <c>iter_</c>: soft-skeleton iterations. Default 3.</param>
    /// <param name="smooth">MONAI <c>smooth</c>. Default 1.</param>
    /// <param name="spatialShape">SegML layout, not a MONAI parameter: the volume's axes [D, H, W] when a 3-D input is passed as [B, C, 1, D·H·W]; null for 2-D.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="ClDiceLoss"/> (C ≥ 2; with C = 1 MONAI's loss is a constant 0, which the preset refuses).</returns>
    public static PeerLoss SoftclDiceLoss(int iter = 3, double smooth = 1.0, IReadOnlyList<int>? spatialShape = null)
        => ClDicePreset(nameof(SoftclDiceLoss), iter, 1.0, smooth, spatialShape);

    /// <summary>MONAI 1.5 <c>SoftDiceclDiceLoss</c>: <c>(1 − alpha)·soft Dice + alpha·clDice</c>, both over batch, channels 1.. and space.</summary>
    /// <param name="iter">MONAI <c>iter_</c>. Default 3.</param>
    /// <param name="alpha">The clDice weight. Default 0.5.</param>
    /// <param name="smooth">MONAI <c>smooth</c>. Default 1.</param>
    /// <param name="spatialShape">SegML layout: the volume's axes for a 3-D input passed as [B, C, 1, D·H·W]; null for 2-D.</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives a <see cref="ClDiceLoss"/>.</returns>
    public static PeerLoss SoftDiceclDiceLoss(int iter = 3, double alpha = 0.5, double smooth = 1.0, IReadOnlyList<int>? spatialShape = null)
        => ClDicePreset(nameof(SoftDiceclDiceLoss), iter, alpha, smooth, spatialShape);

    private static PeerLoss ClDicePreset(string method, int iter, double alpha, double smooth, IReadOnlyList<int>? spatialShape)
    {
        int[]? volume = spatialShape?.ToArray();
        var options = new ClDiceLossOptions { Iterations = iter, Alpha = alpha, Smooth = smooth, SpatialShape = volume };
        _ = new ClDiceLoss(options); // checks the settings now
        var arguments = new List<(string, object?)> { (nameof(iter), iter) };
        if (method == nameof(SoftDiceclDiceLoss))
        {
            arguments.Add((nameof(alpha), alpha));
        }

        arguments.Add((nameof(smooth), smooth));
        arguments.Add((nameof(spatialShape), spatialShape));
        var preset = new PeerPreset(typeof(Monai), method, arguments.ToArray());
        return new PeerLoss("monai." + method, c => c == 1
            ? throw new NotSupportedException($"MONAI {method} drops channel 0, so with one channel it is the constant 0; use ClDiceLoss, which keeps a single channel.")
            : new ClDiceLoss(new ClDiceLossOptions { Iterations = iter, Alpha = alpha, Smooth = smooth, SpatialShape = volume }), preset);
    }
}
