using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Post-processing that <see cref="OnnxGraphEditor.AppendPostProcessing"/> appends to a segmentation model's graph, so
/// it runs inside ONNX Runtime (on the GPU with a GPU provider) instead of in managed code.
/// </summary>
/// <remarks>
/// <para>Order: the scores are resized (<see cref="ResizeToInput"/>), then activated (<see cref="Activation"/>); the
/// mask (<see cref="ArgMax"/>) is the argmax of the resized scores before activation (softmax does not change the
/// argmax, and skipping it avoids ties that rounding could create), or for a one-channel model the threshold of the
/// activated scores.</para>
/// <para>The processed score output replaces the original one in the graph's outputs (other outputs stay), so ONNX
/// Runtime does not copy the raw scores back when only the mask is wanted.</para>
/// <para>The defaults do nothing; set at least one of <see cref="Activation"/>, <see cref="ResizeToInput"/>,
/// <see cref="ArgMax"/> or <see cref="ConfusionCounts"/>.</para>
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</para>
/// </remarks>
public sealed class OnnxPostProcessingOptions
{
    /// <summary>
    /// The score output to process. <see langword="null"/> takes the first rank-4 float output. Default: <see langword="null"/>.
    /// </summary>
    public string? OutputName { get; set; }

    /// <summary>
    /// The image input whose height and width <see cref="ResizeToInput"/> reads at run time. <see langword="null"/> takes
    /// the single rank-4 float input. Default: <see langword="null"/>.
    /// </summary>
    public string? InputName { get; set; }

    /// <summary>
    /// Turns logits into probabilities in the graph: <see cref="Activation.Softmax"/> over the channel axis, or
    /// <see cref="Activation.Sigmoid"/> per channel. An output that already ends in Softmax or Sigmoid cannot be
    /// activated again. Default: <see cref="Activation.None"/>.
    /// </summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>
    /// Resizes the scores to the input's height and width with an ONNX Resize node (mode linear,
    /// coordinate_transformation_mode half_pixel: PyTorch <c>F.interpolate(mode="bilinear", align_corners=False)</c>),
    /// the size read from the input's shape at run time so dynamic sizes work. Default: <see langword="false"/>.
    /// </summary>
    public bool ResizeToInput { get; set; }

    /// <summary>
    /// Outputs an integer mask <c>[N,H,W]</c> (<see cref="MaskOutputName"/>): the argmax over the channels (ties to the
    /// lowest class), or for a one-channel model the foreground test against <see cref="Threshold"/> (a model whose
    /// channel count is dynamic counts as multi-class). The score output is then dropped unless
    /// <see cref="KeepScores"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool ArgMax { get; set; }

    /// <summary>
    /// The foreground probability above which a pixel of a one-channel model is class 1. On logits the graph compares
    /// against <c>ln(t / (1 − t))</c> instead (0 for the default). Default: 0.5; range (0, 1).
    /// </summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>The mask's element type. Default: <see cref="OnnxMaskElementType.Int64"/>.</summary>
    public OnnxMaskElementType MaskElementType { get; set; } = OnnxMaskElementType.Int64;

    /// <summary>Whether the processed scores stay an output (<see cref="ScoresOutputName"/>) beside the mask. Default: <see langword="false"/>.</summary>
    public bool KeepScores { get; set; }

    /// <summary>
    /// Adds a ground-truth input <c>[N,H,W]</c> int64 (<see cref="LabelsInputName"/>) and an output
    /// <c>[N,K,K]</c> int64 (<see cref="ConfusionOutputName"/>) of per-image confusion counts, rows the true class and
    /// columns the predicted one (K = 2 for a one-channel model). Labels outside <c>[0,K)</c> (−1, 255) are not counted.
    /// Needs the model's default-domain opset at 13 or more: it is raised to 16 for ScatterElements with
    /// <c>reduction="add"</c>. A model with this extra input cannot be loaded by <see cref="SegmentationModel"/>, which
    /// takes the image input only; run it with ONNX Runtime directly. Default: <see langword="false"/>.
    /// </summary>
    public bool ConfusionCounts { get; set; }

    /// <summary>The name of the processed score output; must not name a tensor the model already has. Default: "scores".</summary>
    public string ScoresOutputName { get; set; } = "scores";

    /// <summary>The name of the mask output; must not name a tensor the model already has. Default: "mask".</summary>
    public string MaskOutputName { get; set; } = "mask";

    /// <summary>The name of the ground-truth input added by <see cref="ConfusionCounts"/>. Default: "labels".</summary>
    public string LabelsInputName { get; set; } = "labels";

    /// <summary>The name of the confusion-count output added by <see cref="ConfusionCounts"/>. Default: "confusion".</summary>
    public string ConfusionOutputName { get; set; } = "confusion";

    /// <summary>A copy whose later changes do not reach this instance (and the reverse), as a loaded model keeps one.</summary>
    /// <returns>New options with the same values.</returns>
    public OnnxPostProcessingOptions Clone() => (OnnxPostProcessingOptions)MemberwiseClone();
}
