using System;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How a <see cref="SegmentationModel"/> loads and runs an ONNX model.</summary>
/// <remarks>
/// Every property has a default that works for a CPU-only application with a model that has one rank-4 float input
/// <c>[N,C,H,W]</c> and one rank-4 float output. The options are read once, when the model is loaded.
/// </remarks>
public sealed class OnnxSessionOptions
{
    /// <summary>The execution provider to ask for. Default: <see cref="OnnxExecutionProvider.Cpu"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>
    /// The GPU to run on, for the GPU providers. <see langword="null"/> means device 0 (an ML.NET host passes
    /// <c>MLContext.GpuDeviceId</c>). Default: <see langword="null"/>; range 0 or more.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// Whether a GPU provider that cannot be set up (no GPU package, no CUDA, no device) falls back to the CPU, with the
    /// reason sent to <see cref="Log"/> and kept in <see cref="SegmentationModel.ExecutionProviderFallbackReason"/>.
    /// When <see langword="false"/>, loading throws <see cref="InvalidOperationException"/> instead. Default: <see langword="true"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Threads used inside one operator. Default: 0 (ONNX Runtime's choice); range 0 or more.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads used across independent operators. Default: 0 (ONNX Runtime's choice); range 0 or more.</summary>
    public int InterOpThreads { get; set; }

    /// <summary>Graph rewriting before the first run. Default: <see cref="OnnxGraphOptimization.All"/>.</summary>
    public OnnxGraphOptimization GraphOptimization { get; set; } = OnnxGraphOptimization.All;

    /// <summary>
    /// The image input's name. <see langword="null"/> finds the single rank-4 float input. Default: <see langword="null"/>.
    /// </summary>
    public string? InputName { get; set; }

    /// <summary>
    /// The output's name. <see langword="null"/> takes the first rank-4 float output, or else the first integer mask
    /// output (rank 3, or rank 4 with one channel). Default: <see langword="null"/>.
    /// </summary>
    public string? OutputName { get; set; }

    /// <summary>
    /// What the output holds. <see langword="null"/> decides from the graph: integer outputs are masks, float outputs
    /// produced by Softmax or Sigmoid (through reshapes, transposes and resizes) are probabilities, any other float
    /// output is logits. Set it where the heuristic is wrong. Default: <see langword="null"/>.
    /// </summary>
    public SegmentationOutputKind? OutputKind { get; set; }

    /// <summary>
    /// The input's channel count, needed only when the model leaves it dynamic; when the model fixes it, a different
    /// value is an error. Default: <see langword="null"/> (read from the model); range 1 or more.
    /// </summary>
    public int? InputChannels { get; set; }

    /// <summary>
    /// Whether float scores smaller than the input (models with an output stride of 4, 8 or 16) are resized bilinearly
    /// to the input's height and width, with half-pixel centres (PyTorch <c>F.interpolate(mode="bilinear",
    /// align_corners=False)</c>). Integer masks are never resized. Default: <see langword="false"/>.
    /// </summary>
    public bool UpsampleToInput { get; set; }

    /// <summary>
    /// Post-processing appended to the model's graph before the session is created (see
    /// <see cref="OnnxGraphEditor.AppendPostProcessing"/>); <see cref="InputName"/> and <see cref="OutputName"/>, when set
    /// and the post-processing leaves its own unset, name the image input and the score output it processes. The model
    /// then reads the new output: the mask with <see cref="OnnxPostProcessing.ArgMax"/> (integer masks go through
    /// <see cref="SegmentationModel.RunMask"/>; <see cref="SegmentationModel.OutputKind"/> is Mask), otherwise the
    /// processed scores (Probabilities after an activation). <see cref="OnnxPostProcessing.ConfusionCounts"/> is not
    /// available here: it adds an input the model cannot feed. Default: <see langword="null"/> (the graph as it is).
    /// </summary>
    public OnnxPostProcessing? PostProcessing { get; set; }

    /// <summary>
    /// Receives one line per decision worth knowing: the execution provider in use, any fallback and its reason, the
    /// input and output chosen. An ML.NET host routes it to <c>MLContext.Log</c>. Default: <see langword="null"/> (silent).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // a callback belongs to the running application, not to a saved model
    public Action<string>? Log { get; set; }

    /// <summary>A copy that reads the post-processed output, as <see cref="OnnxPostProcessing"/> left it.</summary>
    internal OnnxSessionOptions ForPostProcessedOutput(string outputName, SegmentationOutputKind kind)
    {
        var copy = (OnnxSessionOptions)MemberwiseClone();
        copy.PostProcessing = null;
        copy.OutputName = outputName;
        copy.OutputKind = kind;
        return copy;
    }
}
