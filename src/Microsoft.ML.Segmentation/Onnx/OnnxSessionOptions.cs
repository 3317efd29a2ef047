using Microsoft.ML.Segmentation.Tiling;
using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How a <see cref="SegmentationModel"/> loads and runs an ONNX model.</summary>
/// <remarks>
/// Every property has a default that works for a CPU-only application with a model that has one rank-4 float input
/// <c>[N,C,H,W]</c> and one rank-4 float output. The options are read once, when the model is loaded.
/// <para>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</para>
/// </remarks>
public sealed class OnnxSessionOptions
{
    private IList<OnnxProviderOptions> _executionProviders = new List<OnnxProviderOptions>();

    /// <summary>
    /// The execution provider to ask for, as a shorthand for a one-entry <see cref="ExecutionProviders"/> on
    /// <see cref="GpuDeviceId"/>; ignored when that list is not empty. Default: <see cref="OnnxExecutionProvider.Cpu"/>.
    /// </summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>
    /// The GPU to run on, for the GPU providers: that of <see cref="ExecutionProvider"/>, and of every entry of
    /// <see cref="ExecutionProviders"/> that names none. <see langword="null"/> means device 0 (an ML.NET host passes
    /// <c>MLContext.GpuDeviceId</c>). Default: <see langword="null"/>; range 0 or more.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// The execution providers to try, in order of preference, each with its own settings; the model runs on the first
    /// one whose session starts. A provider that cannot be appended (no GPU package, no CUDA) or whose session cannot
    /// start (no device, out of memory) is logged through <see cref="Log"/> with the reason, and the next one is tried.
    /// When none starts, the CPU is the last resort if <see cref="FallbackToCpu"/> is set. Empty means one entry made
    /// from <see cref="ExecutionProvider"/> and <see cref="GpuDeviceId"/>. Default: empty.
    /// </summary>
    /// <remarks>
    /// A TensorRT entry runs the nodes TensorRT rejects on CUDA, with the settings of the first CUDA entry after it on the
    /// same GPU (or CUDA's defaults). <see cref="SegmentationModel.ExecutionProviderAttempts"/> tells what was tried.
    /// Setting <see langword="null"/> empties the list.
    /// </remarks>
    public IList<OnnxProviderOptions> ExecutionProviders
    {
        get => _executionProviders;
        set => _executionProviders = value ?? new List<OnnxProviderOptions>();
    }

    /// <summary>
    /// Whether the CPU is the last resort when no requested provider starts (no GPU package, no CUDA, no device), with
    /// the reasons sent to <see cref="Log"/> and kept in <see cref="SegmentationModel.ExecutionProviderFallbackReason"/>.
    /// When <see langword="false"/>, loading throws <see cref="InvalidOperationException"/> naming every provider tried
    /// and why it failed. Default: <see langword="true"/>.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Threads used inside one operator. Default: 0 (ONNX Runtime's choice); range 0 or more.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// How many ONNX Runtime runs a <c>ScoreOnnx</c> read-ahead cursor may have in flight at once, each on its own thread
    /// over its own rows: above 1, the <see cref="BatchSize"/> rows read ahead are shared among that many blocks (of
    /// BatchSize ÷ runs rows, rounded up), each filled and scored on its own thread one image per run (or the model's
    /// fixed batch), while the rows still come out in order. On a CPU, two runs of one intra-op thread each keep two
    /// cores busy without the per-operator barriers one run on two threads waits at, which matters when decoding and
    /// the consumer's work share those cores; and with a block per thread no run waits for another block's slowest
    /// image, nor the reading of the next rows for the runs. 0 is automatic: on the CPU provider with
    /// <see cref="IntraOpThreads"/> 0, <see cref="BatchSize"/> above 1 and neither <see cref="Tiling"/>
    /// nor <see cref="TestTimeAugmentation"/>, min(2, cores) runs, each with cores / runs intra-op threads (the session's
    /// setting of the transformer's session, whose <c>PredictionEngine</c> then uses them too); otherwise, and for a
    /// <see cref="SegmentationModel"/> loaded on its own, 1. Row order and every score are the same whatever the value. Where one image's latency matters more than
    /// throughput (a <c>PredictionEngine</c> serving single requests), set 1, so that one run uses every core. Default: 0 (measured: see the README's
    /// benchmark section); range 0 to 64.
    /// </summary>
    public int ConcurrentRuns { get; set; }

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
    /// align_corners=False)</c>). Integer masks are never resized. Default: <see langword="true"/>: <c>PredictMasks</c>,
    /// <c>ComputeLosses</c> and <c>Evaluate</c> need scores of the tensor's size, as the masks are; set
    /// <see langword="false"/> to read a stride-4/8/16 model's raw output.
    /// </summary>
    public bool UpsampleToInput { get; set; } = true;

    /// <summary>
    /// Whether runs bind the input and output to the caller's (or pooled, reused) managed buffers with ONNX Runtime's
    /// IOBinding, so ONNX Runtime reads the input in place and writes the output straight into its destination. The
    /// first run at each input shape uses plain Run to learn the output's shape. <see langword="false"/> uses plain
    /// Run every time (ONNX Runtime allocates each output, which is then copied). Results are identical either way.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool UseIoBinding { get; set; } = true;

    /// <summary>
    /// How many rows a <c>ScoreOnnx</c> cursor reads ahead and scores in one ONNX Runtime run (with
    /// <see cref="ConcurrentRuns"/> above 1, in one run per image, shared among that many threads). Rows of different
    /// tensor sizes in one read-ahead block are grouped by size, one run per size (never padded: padding would change
    /// the scores near the borders); a model that fixes its batch dimension runs in batches of that size, the last one
    /// padded with zero images whose scores are discarded. While the consumer reads one block, the next is decoded and
    /// scored on a background thread. A <c>PredictionEngine</c> always scores its one row. 1 scores each row on the
    /// consumer's thread when it is read, as ML.NET's own transformers do. Default: 4 (measured: see the README's
    /// benchmark section); range 1 to 1024.
    /// </summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>
    /// Post-processing appended to the model's graph before the session is created (see
    /// <see cref="OnnxGraphEditor.AppendPostProcessing"/>); <see cref="InputName"/> and <see cref="OutputName"/>, when set
    /// and the post-processing leaves its own unset, name the image input and the score output it processes. The model
    /// then reads the new output: the mask with <see cref="OnnxPostProcessingOptions.ArgMax"/> (integer masks go through
    /// <see cref="SegmentationModel.RunMask"/>; <see cref="SegmentationModel.OutputKind"/> is Mask), otherwise the
    /// processed scores (Probabilities after an activation). <see cref="OnnxPostProcessingOptions.ConfusionCounts"/> is not
    /// available here: it adds an input the model cannot feed. Default: <see langword="null"/> (the graph as it is).
    /// </summary>
    public OnnxPostProcessingOptions? PostProcessing { get; set; }

    /// <summary>
    /// Sliding-window (tiled) scoring with MONAI's semantics (see <see cref="TiledInference"/>): each image is scored
    /// window by window, <see cref="TilingOptions.TilesPerRun"/> windows per ONNX Runtime run, and the overlapping
    /// scores blended, so an image far larger than the network's training crops keeps its small structures and never
    /// has to fit the model whole. Images are then scored one at a time (<see cref="BatchSize"/> still reads ahead
    /// decoding). Default: <see langword="null"/> (each image in one run).
    /// </summary>
    public TilingOptions? Tiling { get; set; }

    /// <summary>
    /// Test-time augmentation: every window (or, without <see cref="Tiling"/>, every image) is also scored flipped,
    /// rotated or rescaled, and the results undone and averaged (see <see cref="TestTimeAugmentationOptions"/>). With
    /// <see cref="TtaMerge.Probabilities"/> (the default) the merged scores are probabilities, and the scores column is
    /// annotated so. Costs <see cref="TestTimeAugmentationOptions.RunsPerWindow"/> model runs per window.
    /// Default: <see langword="null"/> (none).
    /// </summary>
    public TestTimeAugmentationOptions? TestTimeAugmentation { get; set; }

    /// <summary>
    /// With <see cref="Tiling"/>: called after each run of windows with the windows done and the image's total, for
    /// progress on big images, on the thread that scores the image. Default: <see langword="null"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // a callback belongs to the running application, not to a saved model
    public Action<int, int>? TilingProgress { get; set; }

    /// <summary>
    /// Receives one line per decision worth knowing: the execution provider in use, any fallback and its reason, the
    /// input and output chosen. An ML.NET host routes it to <c>MLContext.Log</c>. Default: <see langword="null"/> (silent).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] // a callback belongs to the running application, not to a saved model
    public Action<string>? Log { get; set; }

    /// <summary>
    /// Sets anything else on ONNX Runtime's <c>SessionOptions</c>: session config entries, profiling, log ids, or
    /// providers SegML does not name (DirectML, OpenVINO). Default: <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// <para>It is called once per session attempt (once per provider tried, see <see cref="ExecutionProviders"/>), on
    /// fresh options, after SegML has set the graph optimisation and thread counts (so it may override them) and before
    /// SegML appends the attempt's provider (so providers it appends come first in ONNX Runtime's order). An exception
    /// it throws stops loading, wrapped in <see cref="InvalidOperationException"/> naming the model.</para>
    /// <para>Not saved with a model: the sessions of a model loaded from a saved pipeline are set up without it.</para>
    /// </remarks>
    [System.Text.Json.Serialization.JsonIgnore] // a callback belongs to the running application, not to a saved model
    public Action<Microsoft.ML.OnnxRuntime.SessionOptions>? ConfigureSessionOptions { get; set; }

    /// <summary>
    /// A copy whose later changes do not reach this instance (and the reverse): the <see cref="ExecutionProviders"/>
    /// list and its entries and the <see cref="PostProcessing"/> are copied; the <see cref="Log"/> and
    /// <see cref="ConfigureSessionOptions"/> callbacks are shared.
    /// </summary>
    /// <returns>New options with the same values.</returns>
    public OnnxSessionOptions Clone()
    {
        var copy = (OnnxSessionOptions)MemberwiseClone();
        copy._executionProviders = new List<OnnxProviderOptions>(_executionProviders.Count);
        foreach (OnnxProviderOptions entry in _executionProviders)
        {
            copy._executionProviders.Add(entry?.Clone()!);
        }

        copy.PostProcessing = PostProcessing?.Clone();
        copy.Tiling = Tiling?.Clone();
        copy.TestTimeAugmentation = TestTimeAugmentation?.Clone();
        return copy;
    }

    /// <summary>A copy that reads the post-processed output, as <see cref="OnnxPostProcessingOptions"/> left it.</summary>
    internal OnnxSessionOptions ForPostProcessedOutput(string outputName, SegmentationOutputKind kind)
    {
        OnnxSessionOptions copy = Clone();
        copy.PostProcessing = null;
        copy.OutputName = outputName;
        copy.OutputKind = kind;
        return copy;
    }

    /// <summary>
    /// Set on the copy a <c>ScoreOnnx</c> transformer loads its model with: only its read-ahead blocks have several runs
    /// to put in flight, so only there does the automatic <see cref="ConcurrentRuns"/> share the cores (a model loaded
    /// on its own keeps ONNX Runtime's threads for its single runs).
    /// </summary>
    internal bool ScoresBlocks { get; set; }

    /// <summary>The runs a read-ahead block may have in flight on <paramref name="provider"/>: <see cref="ConcurrentRuns"/> resolved.</summary>
    internal int ResolveConcurrentRuns(OnnxExecutionProvider provider)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ConcurrentRuns, "options.ConcurrentRuns");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ConcurrentRuns, 64, "options.ConcurrentRuns");
        if (ConcurrentRuns > 0)
        {
            return ConcurrentRuns;
        }

        // Only where blocks of several rows are scored: a tiled or augmented image, or rows scored one at a time, has
        // one run in flight, which then wants every core inside it.
        bool blocks = ScoresBlocks && BatchSize > 1 && Tiling is null && TestTimeAugmentation is null;
        return provider == OnnxExecutionProvider.Cpu && IntraOpThreads == 0 && blocks ? Math.Min(2, Environment.ProcessorCount) : 1;
    }

    /// <summary>
    /// The intra-op threads a session on <paramref name="provider"/> gets: <see cref="IntraOpThreads"/> when set; with
    /// automatic concurrent runs on the CPU, the cores shared among them (0, ONNX Runtime's choice, otherwise).
    /// </summary>
    internal int ResolveIntraOpThreads(OnnxExecutionProvider provider)
    {
        if (IntraOpThreads != 0 || provider != OnnxExecutionProvider.Cpu)
        {
            return IntraOpThreads;
        }

        int runs = ResolveConcurrentRuns(provider);
        return runs > 1 ? Math.Max(1, Environment.ProcessorCount / runs) : 0;
    }
}
