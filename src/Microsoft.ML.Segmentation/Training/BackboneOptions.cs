using System.Collections.Generic;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>How to load an ONNX graph as a <see cref="FeatureBackbone"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class BackboneOptions
{
    /// <summary>The image input; null takes the graph's only rank-4 float input.</summary>
    public string? InputName { get; set; }

    /// <summary>The tensors to output as feature maps, in any order (they are sorted finest stride first). Required.</summary>
    public IList<BackboneFeature> Features { get; set; } = new List<BackboneFeature>();

    /// <summary>
    /// The pixel normalisation the graph expects (channel order, scaling, mean, std). Its resize settings are ignored:
    /// <see cref="FeatureBackbone.ImageOptions"/> pads to <see cref="SizeMultiple"/> instead. Null means
    /// <see cref="ImageTensorOptions"/>' defaults (RGB scaled to 0..1, no mean or std).
    /// </summary>
    public ImageTensorOptions? ImageOptions { get; set; }

    /// <summary>What image height and width must be a multiple of; 0 uses the largest feature stride.</summary>
    public int SizeMultiple { get; set; }

    /// <summary>
    /// Makes the input's batch, height and width symbolic, so that any size runs. Turn it off for graphs whose ops
    /// (Reshape to a constant shape, a fixed pooling kernel) depend on the export size.
    /// </summary>
    public bool DynamicInputSize { get; set; } = true;

    /// <summary>Execution providers and threads; null runs on the CPU with ONNX Runtime's defaults.</summary>
    public OnnxSessionOptions? SessionOptions { get; set; }
}
