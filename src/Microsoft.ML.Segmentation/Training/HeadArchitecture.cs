namespace Microsoft.ML.Segmentation.Training;

/// <summary>The layers of a <see cref="SegmentationHead"/>, applied independently at every pixel of the finest feature grid.</summary>
public enum HeadArchitecture
{
    /// <summary>One 1x1 convolution: logits = W·x + b.</summary>
    Linear = 0,

    /// <summary>Two 1x1 convolutions with a ReLU between: logits = W2·max(0, W1·x + b1) + b2.</summary>
    Mlp = 1,
}
