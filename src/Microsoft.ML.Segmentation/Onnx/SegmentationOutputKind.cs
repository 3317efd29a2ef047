namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>What the output tensor of a segmentation model holds.</summary>
public enum SegmentationOutputKind
{
    /// <summary>Unnormalised float scores <c>[N,C,H,W]</c>: apply softmax (C &gt; 1) or sigmoid (C = 1) for probabilities.</summary>
    Logits = 0,

    /// <summary>Float probabilities <c>[N,C,H,W]</c>: the graph ends in Softmax or Sigmoid.</summary>
    Probabilities = 1,

    /// <summary>Integer class indices <c>[N,H,W]</c> or <c>[N,1,H,W]</c>: the graph ends in ArgMax.</summary>
    Mask = 2,
}
