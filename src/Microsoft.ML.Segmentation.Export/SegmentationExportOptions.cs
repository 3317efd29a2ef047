using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Segmentation.Export;

/// <summary>How <see cref="SegmentationExportExtensions.ExportToOnnxPipeline"/> exports a model to plain ML.NET.</summary>
public sealed class SegmentationExportOptions
{
    /// <summary>The width images are resized to, fixed in the exported model. Required: 1 or more.</summary>
    public int Width { get; set; }

    /// <summary>The height images are resized to, fixed in the exported model. Required: 1 or more.</summary>
    public int Height { get; set; }

    /// <summary>
    /// The normalisation the model expects, baked into the exported graph (which then takes RGB pixels 0–255).
    /// Default: <see langword="null"/>, scale to [0, 1] only; <see cref="OnnxInputNormalizationOptions.ImageNet"/> for torchvision models.
    /// </summary>
    public OnnxInputNormalizationOptions? Normalization { get; set; }

    /// <summary>
    /// The post-processing baked into the exported graph. Default: <see langword="null"/>, which means
    /// <c>ResizeToInput</c> and <c>ArgMax</c>: an int64 mask <c>[1,Height,Width]</c>. Confusion counts are not exported
    /// (the stock pipeline has no labels input).
    /// </summary>
    public OnnxPostProcessingOptions? PostProcessing { get; set; }

    /// <summary>
    /// How ML.NET's ResizeImages brings images to <see cref="Width"/>×<see cref="Height"/>: <c>Fill</c> stretches (SegML's
    /// <c>ImageResizeMode.Stretch</c>), <c>IsoPad</c> letterboxes, <c>IsoCrop</c> crops. ML.NET resamples with SkiaSharp,
    /// not with SegML's filters, so resized images differ slightly from SegML's; images already at the size pass
    /// unchanged. Default: <see cref="ImageResizingEstimator.ResizingKind.Fill"/>.
    /// </summary>
    public ImageResizingEstimator.ResizingKind Resizing { get; set; } = ImageResizingEstimator.ResizingKind.Fill;

    /// <summary>The input column of image file paths. Default: "ImagePath".</summary>
    public string ImagePathColumnName { get; set; } = "ImagePath";

    /// <summary>The folder relative paths are read from; <see langword="null"/> for paths as they are. Default: <see langword="null"/>.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>The column holding the loaded (then resized) image. Default: "Image".</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>The GPU ApplyOnnxModel runs on; <see langword="null"/> for the CPU. Default: <see langword="null"/>.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether ApplyOnnxModel falls back to the CPU when the GPU cannot be used. Default: <see langword="false"/> (ML.NET's default).</summary>
    public bool FallbackToCpu { get; set; }
}
