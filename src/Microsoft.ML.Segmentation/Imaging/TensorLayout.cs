namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Memory layout of an image tensor.</summary>
public enum TensorLayout
{
    /// <summary><c>[N, C, H, W]</c>: one plane per channel (PyTorch, ONNX exports of PyTorch models).</summary>
    Nchw = 0,

    /// <summary><c>[N, H, W, C]</c>: channels interleaved per pixel (TensorFlow, Keras).</summary>
    Nhwc = 1,
}
