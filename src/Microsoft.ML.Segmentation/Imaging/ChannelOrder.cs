namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Order of the colour channels in an image tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, most PyTorch models).</summary>
    Rgb = 0,

    /// <summary>Blue, green, red (OpenCV, PaddleOCR, Caffe models).</summary>
    Bgr = 1,
}
