namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>The element type of a mask computed in the ONNX graph (<see cref="OnnxPostProcessingOptions.ArgMax"/>).</summary>
public enum OnnxMaskElementType
{
    /// <summary>
    /// 64-bit integers, what ONNX ArgMax gives: ONNX Runtime's <c>long</c>, ML.NET's <c>Int64</c> vector. Eight bytes a pixel.
    /// </summary>
    Int64 = 0,

    /// <summary>
    /// Bytes (at most 256 classes): ONNX Runtime's <c>byte</c>, ML.NET's <c>Byte</c> vector. One byte a pixel leaves the
    /// device instead of eight.
    /// </summary>
    UInt8 = 1,
}
