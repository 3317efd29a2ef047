using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="ClDiceLoss"/>. The defaults are MONAI's <c>SoftclDiceLoss()</c>: probabilities as given, three
/// skeleton iterations, smooth 1, background left out, pure clDice (<see cref="Alpha"/> = 1).
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class ClDiceLossOptions
{
    /// <summary>How the input becomes probabilities. Default: <see cref="Activation.None"/> (MONAI applies none).</summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>Erosion steps of the soft skeleton (MONAI <c>iter_</c>). Default: 3; must be ≥ 0. Use about the largest vessel radius in pixels.</summary>
    public int Iterations { get; set; } = 3;

    /// <summary>Added to the numerator and denominator of topology precision and sensitivity, and of the soft Dice (MONAI <c>smooth</c>). Default: 1; must be finite and ≥ 0.</summary>
    public double Smooth { get; set; } = 1;

    /// <summary>
    /// The weight of clDice against the soft Dice: <c>(1 − α)·Dice + α·clDice</c> (MONAI <c>SoftDiceclDiceLoss</c>'s
    /// <c>alpha</c>, whose default there is 0.5). Default: 1 (clDice alone, MONAI <c>SoftclDiceLoss</c>); must lie in [0, 1].
    /// </summary>
    public double Alpha { get; set; } = 1;

    /// <summary>
    /// Keep channel 0 in the sums. Default: <see langword="false"/> (MONAI always drops it). With one channel the channel
    /// is always kept (MONAI's loss is then a constant 0).
    /// </summary>
    public bool IncludeBackground { get; set; }

    /// <summary>
    /// The spatial axes of each image, row-major with the last axis fastest, for volumes: for example <c>[D, H, W]</c> with
    /// the tensor read as <c>[N, C, 1, D·H·W]</c>; the pools are then 3-D. <see langword="null"/> for the tensor's own
    /// <c>[H, W]</c>. Default: <see langword="null"/>; each size ≥ 1 and their product equal to H·W of the input.
    /// </summary>
    public IReadOnlyList<int>? SpatialShape { get; set; }

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the spatial shape is copied.</summary>
    /// <returns>New options with the same values.</returns>
    public ClDiceLossOptions Clone()
    {
        var copy = (ClDiceLossOptions)MemberwiseClone();
        copy.SpatialShape = SpatialShape is null ? null : [.. SpatialShape];
        return copy;
    }
}
