namespace Microsoft.ML.Segmentation.Losses;

/// <summary>What the denominator of an overlap score sums.</summary>
public enum OverlapDenominator
{
    /// <summary>Σp + Σt (smp, MONAI default, mmseg "naive" Dice).</summary>
    Linear = 0,

    /// <summary>Σp² + Σt² (the V-Net Dice; MONAI <c>squared_pred=True</c>, mmseg <c>naive_dice=False</c>).</summary>
    Squared = 1,
}
