namespace Microsoft.ML.Segmentation.Losses;

/// <summary>What <see cref="OhemCrossEntropyLoss"/> divides the summed cross-entropy of the selected pixels by.</summary>
public enum OhemAveraging
{
    /// <summary>The number of selected pixels (mmseg <c>OhemCrossEntropy</c>: the mean over the kept pixels).</summary>
    Selected = 0,

    /// <summary>The sum of the selected pixels' class weights (PyTorch's weighted mean over them).</summary>
    SelectedWeight = 1,

    /// <summary>Every pixel of the batch, N·H·W, ignored ones included (mmseg's decode head after <c>OHEMPixelSampler</c>, <c>avg_non_ignore=False</c>).</summary>
    AllPixels = 2,

    /// <summary>The pixels not ignored (the decode head with <c>avg_non_ignore=True</c>).</summary>
    ValidPixels = 3,

    /// <summary>No division: the sum.</summary>
    Sum = 4,
}
