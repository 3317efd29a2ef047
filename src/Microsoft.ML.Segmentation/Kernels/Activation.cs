namespace Microsoft.ML.Segmentation.Losses;

/// <summary>How a loss turns its input tensor into per-class probabilities.</summary>
public enum Activation
{
    /// <summary>The input already holds probabilities (or any scores the loss should use as they are).</summary>
    None = 0,

    /// <summary>The input holds logits; each channel goes through its own sigmoid (binary and multilabel models).</summary>
    Sigmoid = 1,

    /// <summary>The input holds logits; a softmax over the channel axis gives mutually exclusive class probabilities.</summary>
    Softmax = 2,
}
