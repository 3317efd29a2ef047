namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>How test-time augmentation averages the scores of the augmented copies of a window.</summary>
public enum TtaMerge
{
    /// <summary>
    /// The mean of probabilities, as mmseg's <c>SegTTAModel</c>: each copy's scores go through a softmax over the
    /// channels (a sigmoid for one channel) before they are averaged, unless the model already outputs probabilities.
    /// The merged output is then probabilities, not logits.
    /// </summary>
    Probabilities,

    /// <summary>The mean of the raw scores (logits stay logits; probabilities stay probabilities).</summary>
    Logits,
}
