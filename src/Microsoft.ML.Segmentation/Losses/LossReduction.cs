namespace Microsoft.ML.Segmentation.Losses;

/// <summary>How a loss reduces its per-region or per-pixel terms to one number.</summary>
public enum LossReduction
{
    /// <summary>The (weighted) mean.</summary>
    Mean = 0,

    /// <summary>The (weighted) sum.</summary>
    Sum = 1,
}
