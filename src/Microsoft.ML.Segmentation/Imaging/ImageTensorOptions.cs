using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// How <see cref="SegmentationImageLoader"/> turns an image file into a float tensor: orientation, channel order,
/// resizing, scaling, normalisation and layout.
/// </summary>
/// <remarks>
/// Each output value is <c>((pixel / 255) − mean[c]) / std[c]</c> with <see cref="ScaleToUnit"/> (the default), or
/// <c>(pixel − mean[c]) / std[c]</c> without it; with no <see cref="Mean"/>/<see cref="Std"/> the mean is 0 and the std 1.
/// Padded pixels take <see cref="PaddingValue"/> as their raw pixel value and go through the same formula.
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</para>
/// </remarks>
public sealed class ImageTensorOptions
{
    /// <summary>The ImageNet channel means in RGB order (0.485, 0.456, 0.406), for models trained with torchvision's normalisation.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>The ImageNet channel standard deviations in RGB order (0.229, 0.224, 0.225).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Options with the ImageNet <see cref="Mean"/> and <see cref="Std"/>, RGB, NCHW, no resizing: what torchvision segmentation models expect.</summary>
    public static ImageTensorOptions ImageNet() => new() { Mean = ImageNetMean, Std = ImageNetStd };

    /// <summary>Rotate and flip the image as its EXIF orientation tag says, then drop the tag. Default: <see langword="true"/>.</summary>
    public bool AutoOrient { get; set; } = true;

    /// <summary>Channel order of the tensor. Grayscale images always become three equal channels. Default: <see cref="ChannelOrder.Rgb"/>.</summary>
    public ChannelOrder ChannelOrder { get; set; } = ChannelOrder.Rgb;

    /// <summary>How the image is brought to the input size. Default: <see cref="ImageResizeMode.None"/>.</summary>
    public ImageResizeMode ResizeMode { get; set; } = ImageResizeMode.None;

    /// <summary>Output width for <see cref="ImageResizeMode.Stretch"/> and <see cref="ImageResizeMode.Letterbox"/>. Default: 0 (unset); must be &gt; 0 for those modes.</summary>
    public int Width { get; set; }

    /// <summary>Output height for <see cref="ImageResizeMode.Stretch"/> and <see cref="ImageResizeMode.Letterbox"/>. Default: 0 (unset); must be &gt; 0 for those modes.</summary>
    public int Height { get; set; }

    /// <summary>The multiple that <see cref="ImageResizeMode.PadToMultiple"/> pads width and height up to. Default: 32; must be ≥ 1.</summary>
    public int SizeMultiple { get; set; } = 32;

    /// <summary>
    /// Raw pixel value (all channels, before scaling and normalisation) of the padding added by
    /// <see cref="ImageResizeMode.Letterbox"/> and <see cref="ImageResizeMode.PadToMultiple"/>; 114 reproduces the grey of
    /// YOLO letterboxes. Default: 0; range [0, 255].
    /// </summary>
    public float PaddingValue { get; set; }

    /// <summary>Interpolation for <see cref="ImageResizeMode.Stretch"/> and <see cref="ImageResizeMode.Letterbox"/>. Default: <see cref="ImageResampling.Bilinear"/>.</summary>
    public ImageResampling Resampling { get; set; } = ImageResampling.Bilinear;

    /// <summary>Divide pixel values by 255 before normalising, giving [0, 1]. Default: <see langword="true"/>.</summary>
    public bool ScaleToUnit { get; set; } = true;

    /// <summary>
    /// Per-channel mean subtracted after scaling, given in RGB order and
    /// reordered for BGR; one value applies to all channels. Default: <see langword="null"/> (0); length 1 or 3.
    /// </summary>
    public IReadOnlyList<float>? Mean { get; set; }

    /// <summary>
    /// Per-channel standard deviation divided by after the mean is subtracted, given in RGB order and reordered for BGR;
    /// one value applies to all channels. Default: <see langword="null"/> (1); length 1 or 3, each &gt; 0.
    /// </summary>
    public IReadOnlyList<float>? Std { get; set; }

    /// <summary>Memory layout of the tensor. Default: <see cref="TensorLayout.Nchw"/>.</summary>
    public TensorLayout Layout { get; set; } = TensorLayout.Nchw;

    /// <summary>
    /// How many images a <c>LoadImages</c> cursor reads ahead and decodes in parallel (on up to
    /// <see cref="System.Environment.ProcessorCount"/> threads) on a background thread, so a model downstream does not wait
    /// on decoding. 1 decodes each image on the consumer's thread when its column is read. A <c>PredictionEngine</c>
    /// always decodes its one row. The loader's own methods ignore it. Default: 8; range 1 to 1024.
    /// </summary>
    public int DecodeAhead { get; set; } = 8;

    /// <summary>
    /// Largest image accepted, in pixels (width × height as the file's header declares it), checked before any pixel is
    /// decoded so a small file that declares a huge canvas (a decompression bomb) fails fast with an
    /// <see cref="System.IO.InvalidDataException"/> naming the file and the limit. Default: 2^26 = 67,108,864
    /// (8192 × 8192, about 200 MB of 8-bit RGB); range ≥ 1.
    /// </summary>
    public long MaxPixels { get; set; } = ImageDecoding.DefaultMaxPixels;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse); the mean and std lists are copied.</summary>
    /// <returns>New options with the same values.</returns>
    public ImageTensorOptions Clone()
    {
        var copy = (ImageTensorOptions)MemberwiseClone();
        copy.Mean = Mean is null ? null : [.. Mean];
        copy.Std = Std is null ? null : [.. Std];
        return copy;
    }
}
