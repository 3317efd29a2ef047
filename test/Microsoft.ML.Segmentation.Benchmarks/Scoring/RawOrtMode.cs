namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>How <see cref="RawOrtScorer"/> calls ONNX Runtime.</summary>
internal enum RawOrtMode
{
    /// <summary>Pre-created OrtValues over pinned input and output arrays.</summary>
    OrtValues,

    /// <summary><c>InferenceSession.Run</c> with NamedOnnxValue inputs; outputs allocated by ONNX Runtime.</summary>
    PlainRun,
}
