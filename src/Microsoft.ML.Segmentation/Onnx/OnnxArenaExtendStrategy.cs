namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How the CUDA provider grows its GPU memory arena (ONNX Runtime's <c>arena_extend_strategy</c>).</summary>
public enum OnnxArenaExtendStrategy
{
    /// <summary>Grow in powers of two (<c>kNextPowerOfTwo</c>, ONNX Runtime's default): fewer, larger allocations.</summary>
    NextPowerOfTwo = 0,

    /// <summary>Grow by exactly what is requested (<c>kSameAsRequested</c>): less memory held, more allocations.</summary>
    SameAsRequested = 1,
}
