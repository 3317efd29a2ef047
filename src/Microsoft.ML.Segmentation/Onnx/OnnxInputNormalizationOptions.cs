using System.Collections.Generic;
using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// The input normalisation that <see cref="OnnxGraphEditor.PrependNormalization"/> bakes into a model, so that it takes
/// raw RGB pixels <c>[N,3,H,W]</c> in 0–255 and computes what <see cref="ImageTensorOptions"/> would have given it:
/// <c>((pixel / 255) − mean[c]) / std[c]</c> (without the division by 255 when <see cref="ScaleToUnit"/> is off).
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class OnnxInputNormalizationOptions
{
    /// <summary>Divide pixel values by 255 before normalising. Default: <see langword="true"/>.</summary>
    public bool ScaleToUnit { get; set; } = true;

    /// <summary>Per-channel mean in RGB order; one value applies to all channels. Default: <see langword="null"/> (0); length 1 or 3.</summary>
    public IReadOnlyList<float>? Mean { get; set; }

    /// <summary>Per-channel standard deviation in RGB order; one value applies to all. Default: <see langword="null"/> (1); length 1 or 3, each &gt; 0.</summary>
    public IReadOnlyList<float>? Std { get; set; }

    /// <summary>
    /// The channel order the model expects. The raw input is always RGB; <see cref="ChannelOrder.Bgr"/> reverses the
    /// channels in the graph. Default: <see cref="ChannelOrder.Rgb"/>.
    /// </summary>
    public ChannelOrder ChannelOrder { get; set; } = ChannelOrder.Rgb;

    /// <summary>The element type of the raw-pixel input. Default: <see cref="OnnxPixelType.Float"/>.</summary>
    public OnnxPixelType PixelType { get; set; } = OnnxPixelType.Float;

    /// <summary>The ImageNet normalisation of torchvision models (<see cref="ImageTensorOptions.ImageNetMean"/>, <see cref="ImageTensorOptions.ImageNetStd"/>).</summary>
    /// <returns>New options.</returns>
    public static OnnxInputNormalizationOptions ImageNet() => new() { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd };

    /// <summary>The normalisation part of image-loading options (scale, mean, std, channel order).</summary>
    /// <param name="options">The options SegML's image loader uses for the model.</param>
    /// <returns>New options.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static OnnxInputNormalizationOptions From(ImageTensorOptions options)
    {
        System.ArgumentNullException.ThrowIfNull(options);
        return new() { ScaleToUnit = options.ScaleToUnit, Mean = options.Mean, Std = options.Std, ChannelOrder = options.ChannelOrder };
    }
}
