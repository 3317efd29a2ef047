namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>The scoring paths compared.</summary>
public enum ScoringPathKind
{
    /// <summary>ONNX Runtime on pre-decoded tensors through pre-created OrtValues.</summary>
    RawOrtValues,

    /// <summary>ONNX Runtime on pre-decoded tensors through a plain <c>Run</c>.</summary>
    RawOrtRun,

    /// <summary>SegML's LoadImages → ScoreOnnx → PredictMasks.</summary>
    Segml,

    /// <summary>Stock ML.NET's image and ONNX transforms, then a managed argmax.</summary>
    StockMlNet,
}
