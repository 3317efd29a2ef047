namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>The ONNX Runtime execution provider a <see cref="SegmentationModel"/> runs on.</summary>
/// <remarks>
/// The GPU providers need the GPU native package (<c>Microsoft.ML.OnnxRuntime.Gpu</c> 1.31.0) in the application and
/// a matching CUDA (and, for TensorRT, TensorRT) installation. Where they are missing, the model tries the next entry
/// of <see cref="OnnxSessionOptions.ExecutionProviders"/>, then falls back to the CPU when
/// <see cref="OnnxSessionOptions.FallbackToCpu"/> is set, and says so through <see cref="OnnxSessionOptions.Log"/>,
/// <see cref="SegmentationModel.ExecutionProviderFallbackReason"/> and <see cref="SegmentationModel.ExecutionProviderAttempts"/>.
/// </remarks>
public enum OnnxExecutionProvider
{
    /// <summary>The default CPU provider; always available.</summary>
    Cpu = 0,

    /// <summary>NVIDIA CUDA.</summary>
    Cuda = 1,

    /// <summary>NVIDIA TensorRT, with CUDA for the nodes TensorRT does not take.</summary>
    TensorRT = 2,
}
