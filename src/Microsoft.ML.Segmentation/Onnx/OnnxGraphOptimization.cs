namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How much ONNX Runtime rewrites the graph before running it.</summary>
public enum OnnxGraphOptimization
{
    /// <summary>No rewriting.</summary>
    None = 0,

    /// <summary>Semantics-preserving rewrites such as constant folding and redundant-node removal.</summary>
    Basic = 1,

    /// <summary>Basic plus node fusions.</summary>
    Extended = 2,

    /// <summary>Everything, including layout optimisations.</summary>
    All = 3,
}
