namespace Microsoft.ML.Segmentation.Losses;

/// <summary>What an overlap loss does with a region whose target is empty (Σt = 0).</summary>
public enum EmptyTargetPolicy
{
    /// <summary>The region's loss is 0 and it still counts in the mean (smp: <c>loss *= (Σt &gt; 0)</c>).</summary>
    ZeroLoss = 0,

    /// <summary>The formula is applied as it is: with smoothing, any false positive gives a loss near 1 (MONAI).</summary>
    Compute = 1,

    /// <summary>The region is left out of the mean (its term reads <c>NaN</c>).</summary>
    Exclude = 2,
}
