namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>The element type of the raw-pixel input that <see cref="OnnxGraphEditor.PrependNormalization"/> gives a model.</summary>
public enum OnnxPixelType
{
    /// <summary>Floats holding pixel values 0–255, as ML.NET's <c>ExtractPixels(outputAsFloatArray: true)</c> gives them.</summary>
    Float = 0,

    /// <summary>Bytes 0–255 (ONNX <c>uint8</c>), as ML.NET's <c>ExtractPixels(outputAsFloatArray: false)</c> gives them; a quarter of the upload.</summary>
    UInt8 = 1,
}
