namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Which classes <see cref="LovaszSoftmaxLoss"/> averages over, in each image or batch it reduces.</summary>
public enum LovaszClassSelection
{
    /// <summary>Only classes with at least one ground-truth pixel (the reference's <c>classes='present'</c>, smp and mmseg default).</summary>
    Present = 0,

    /// <summary>Every selected class, present or not (the reference's <c>classes='all'</c>); an absent class adds its false positives.</summary>
    All = 1,
}
