using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>Builds the overlap loss that an options object belongs to.</summary>
internal static class OverlapLosses
{
    public static OverlapLoss Create(OverlapLossOptions options) => options switch
    {
        DiceLossOptions d => new DiceLoss(d),
        JaccardLossOptions j => new JaccardLoss(j),
        TverskyLossOptions t => new TverskyLoss(t),
        _ => throw new NotSupportedException($"No loss for {options.GetType().Name}."),
    };
}
