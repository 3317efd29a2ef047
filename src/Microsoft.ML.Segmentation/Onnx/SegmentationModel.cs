using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// An ONNX semantic-segmentation model loaded into ONNX Runtime: finds the image input and the score (or mask)
/// output, and runs batches from and into caller-provided buffers.
/// </summary>
/// <remarks>
/// <para>Layout: the input is float <c>[N,C,H,W]</c> (N, H and W may be dynamic), already normalised as the model
/// expects; the output is float <c>[N,K,H',W']</c> logits or probabilities, or an integer mask <c>[N,H',W']</c> /
/// <c>[N,1,H',W']</c>. <see cref="OutputKind"/> says which.</para>
/// <para>This type owns native ONNX Runtime resources: dispose it (Dispose is idempotent). <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/> and
/// <see cref="RunMask"/> may be called from several threads at once.</para>
/// <para>Only load models you trust: an ONNX file is code that ONNX Runtime executes.</para>
/// <para>The GPU providers need the application to reference <c>Microsoft.ML.OnnxRuntime.Gpu</c> 1.31.0 (the
/// library itself references only <c>Microsoft.ML.OnnxRuntime.Managed</c>); see <see cref="OnnxSessionOptions.FallbackToCpu"/>.</para>
/// <para>Thread safety: <c>Run</c> and its overloads may be called from several threads at once (ONNX Runtime sessions
/// are thread-safe; with IOBinding each concurrent call takes its own pooled binding, and the output-shape cache is a
/// bounded concurrent dictionary). <c>Dispose</c> must not race with a run.</para>
/// </remarks>
public sealed partial class SegmentationModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly RunOptions _runOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _fixedInput;
    private readonly TensorElementType _outputElementType;
    private bool _disposed;

    private SegmentationModel(
        string modelName, InferenceSession session, SessionOptions sessionOptions, RunOptions runOptions,
        string inputName, string outputName, int inputChannels, OnnxSessionOptions options)
    {
        ModelName = modelName;
        _session = session;
        _sessionOptions = sessionOptions;
        _runOptions = runOptions;
        _inputNames = [inputName];
        _outputNames = [outputName];
        NodeMetadata input = session.InputMetadata[inputName];
        NodeMetadata output = session.OutputMetadata[outputName];
        _fixedInput = Array.ConvertAll(input.Dimensions, d => (long)d);
        InputChannels = inputChannels;
        InputLayout = FormatShape(input);
        OutputLayout = FormatShape(output);
        UpsampleToInput = options.UpsampleToInput;
        UsesIoBinding = options.UseIoBinding;
        _outputElementType = output.ElementDataType;
        MaxBatch = _fixedInput[0] > 0 ? (int)_fixedInput[0] : null;
        OutputChannels = output.ElementDataType == TensorElementType.Float
            ? (output.Dimensions[1] >= 0 ? output.Dimensions[1] : null)
            : 1;
    }

    /// <summary>The file path the model came from, or the name given to the stream or byte overloads; used in messages.</summary>
    public string ModelName { get; }

    /// <summary>The image input's name.</summary>
    public string InputName => _inputNames[0];

    /// <summary>The output's name.</summary>
    public string OutputName => _outputNames[0];

    /// <summary>The input's shape as the model declares it, symbolic dimensions by name: e.g. <c>[batch,3,height,width]</c>; <c>?</c> for an unnamed dynamic dimension.</summary>
    public string InputLayout { get; }

    /// <summary>The output's shape as the model declares it, in the form of <see cref="InputLayout"/>.</summary>
    public string OutputLayout { get; }

    /// <summary>The channel count C the input needs.</summary>
    public int InputChannels { get; }

    /// <summary>The number of score channels (classes) in the output; 1 for a mask; <see langword="null"/> when the model leaves it dynamic.</summary>
    public int? OutputChannels { get; }

    /// <summary>The batch size the model fixes in its input's first dimension, or <see langword="null"/> when the batch is dynamic.</summary>
    public int? MaxBatch { get; }

    /// <summary>What the output holds: from <see cref="OnnxSessionOptions.OutputKind"/>, or detected from the graph.</summary>
    public SegmentationOutputKind OutputKind { get; private init; }

    /// <summary>Whether smaller float outputs are resized bilinearly to the input size (<see cref="OnnxSessionOptions.UpsampleToInput"/>).</summary>
    public bool UpsampleToInput { get; }

    /// <summary>The execution provider the model actually runs on (the CPU after a fallback); see <see cref="ExecutionProviderAttempts"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; private init; }

    /// <summary>
    /// Why the providers preferred to <see cref="ExecutionProvider"/> were not used (one reason per provider, separated
    /// by <c>; </c>), when the model does not run on its first choice; otherwise <see langword="null"/>.
    /// </summary>
    public string? ExecutionProviderFallbackReason { get; private init; }

    /// <summary>
    /// Every provider tried while loading, in order: those that failed, with their reasons, then the one the model runs
    /// on (its <see cref="OnnxProviderAttempt.FailureReason"/> is <see langword="null"/>).
    /// </summary>
    public IReadOnlyList<OnnxProviderAttempt> ExecutionProviderAttempts { get; private init; } = [];

    /// <summary>Loads a model from an ONNX file.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">How to load and run it; <see langword="null"/> for the defaults.</param>
    /// <returns>The loaded model; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">A name or channel count in <paramref name="options"/> does not fit the model, or a provider setting is out of range or set on a provider it does not apply to (<see cref="ArgumentOutOfRangeException"/> names the setting).</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (the message says so and names it), or ONNX Runtime cannot load it (an unknown operator, a broken graph); ONNX Runtime's exception, if any, is the inner exception.</exception>
    /// <exception cref="InvalidOperationException">No input or output fits, no requested provider starts without <see cref="OnnxSessionOptions.FallbackToCpu"/> (the message names each and why), or <see cref="OnnxSessionOptions.ConfigureSessionOptions"/> throws.</exception>
    public static SegmentationModel Load(string path, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The ONNX model '{fullPath}' does not exist.", fullPath);
        }

        if (options?.PostProcessing is not null)
        {
            // The graph is edited in memory: read the file once and go the byte way.
            return Load(File.ReadAllBytes(fullPath), options, fullPath);
        }

        return Create(fullPath, o => new InferenceSession(fullPath, o), () => File.OpenRead(fullPath), options ?? new OnnxSessionOptions());
    }

    /// <summary>Loads a model from the bytes of an ONNX file.</summary>
    /// <param name="model">The serialised model.</param>
    /// <param name="options">How to load and run it; <see langword="null"/> for the defaults.</param>
    /// <param name="modelName">A name for messages; <see langword="null"/> gives <c>&lt;bytes&gt;</c>.</param>
    /// <returns>The loaded model; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">A name or channel count in <paramref name="options"/> does not fit the model, or a provider setting is out of range or set on a provider it does not apply to (<see cref="ArgumentOutOfRangeException"/> names the setting).</exception>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model (the message says so and names it), or ONNX Runtime cannot load it (an unknown operator, a broken graph); ONNX Runtime's exception, if any, is the inner exception.</exception>
    /// <exception cref="InvalidOperationException">No input or output fits, no requested provider starts without <see cref="OnnxSessionOptions.FallbackToCpu"/> (the message names each and why), or <see cref="OnnxSessionOptions.ConfigureSessionOptions"/> throws.</exception>
    public static SegmentationModel Load(byte[] model, OnnxSessionOptions? options = null, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (options?.PostProcessing is not null)
        {
            (model, options) = ApplyPostProcessing(model, options, modelName ?? "<bytes>");
        }

        return Create(
            modelName ?? "<bytes>", o => new InferenceSession(model, o), () => new MemoryStream(model, writable: false), options ?? new OnnxSessionOptions());
    }

    /// <summary>Loads a model from a stream holding an ONNX file (read to its end).</summary>
    /// <param name="stream">The stream; it is read, not disposed.</param>
    /// <param name="options">How to load and run it; <see langword="null"/> for the defaults.</param>
    /// <param name="modelName">A name for messages; <see langword="null"/> gives <c>&lt;stream&gt;</c>.</param>
    /// <returns>The loaded model; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException">A name or channel count in <paramref name="options"/> does not fit the model, or a provider setting is out of range or set on a provider it does not apply to (<see cref="ArgumentOutOfRangeException"/> names the setting).</exception>
    /// <exception cref="InvalidDataException">The model is not an ONNX model (the message says so and names it), or ONNX Runtime cannot load it (an unknown operator, a broken graph); ONNX Runtime's exception, if any, is the inner exception.</exception>
    /// <exception cref="InvalidOperationException">No input or output fits, no requested provider starts without <see cref="OnnxSessionOptions.FallbackToCpu"/> (the message names each and why), or <see cref="OnnxSessionOptions.ConfigureSessionOptions"/> throws.</exception>
    public static SegmentationModel Load(Stream stream, OnnxSessionOptions? options = null, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(copy.ToArray(), options, modelName ?? "<stream>");
    }

    private static (byte[] Model, OnnxSessionOptions Options) ApplyPostProcessing(byte[] model, OnnxSessionOptions options, string modelName)
    {
        OnnxPostProcessingOptions post = options.PostProcessing!.Clone();
        if (post.ConfusionCounts)
        {
            throw new ArgumentException(
                $"PostProcessing.ConfusionCounts adds a labels input that SegmentationModel cannot feed; for '{modelName}', use OnnxGraphEditor.AppendPostProcessing and run the edited model with ONNX Runtime.", nameof(options));
        }

        // Bytes that are not a model are bad data here as on the plain path, not the graph editor's bad argument.
        OnnxLoadFailure.Parse(model, modelName);
        post.InputName ??= options.InputName;
        post.OutputName ??= options.OutputName;
        PostProcessedModel edited = OnnxPostProcessingWriter.Append(model, post);
        options.Log?.Invoke($"SegmentationModel '{modelName}': post-processing appended to the graph; reading its output '{edited.PrimaryOutput}'.");
        return (edited.Model, options.ForPostProcessedOutput(edited.PrimaryOutput, edited.Kind));
    }

    private static SegmentationModel Create(
        string modelName, Func<SessionOptions, InferenceSession> open, Func<Stream> openGraph, OnnxSessionOptions options)
    {
        SessionOptions? sessionOptions = null;
        InferenceSession? session = null;
        RunOptions? runOptions = null;
        try
        {
            OpenedSession opened = OpenSession(modelName, open, options, openGraph);
            session = opened.Session;
            sessionOptions = opened.Options;
            OnnxProviderAttempt used = opened.Attempts[^1];
            string? fallback = opened.Attempts.Count > 1 ? string.Join("; ", opened.Attempts.SkipLast(1).Select(a => a.FailureReason)) : null;
            string inputName = SelectInput(session, options, modelName);
            string outputName = SelectOutput(session, options, modelName);
            int channels = ResolveChannels(session, session.InputMetadata[inputName], options, modelName);
            NodeMetadata output = session.OutputMetadata[outputName];
            SegmentationOutputKind kind;
            bool detected = options.OutputKind is null;
            if (options.OutputKind is SegmentationOutputKind requested)
            {
                bool isFloat = output.ElementDataType == TensorElementType.Float;
                if (isFloat == (requested == SegmentationOutputKind.Mask))
                {
                    throw new ArgumentException(
                        $"OutputKind {requested} does not fit the output '{outputName}' of '{modelName}', which is {DescribeNode(output)}. {Describe(session)}", nameof(options));
                }

                kind = requested;
            }
            else
            {
                using Stream graph = openGraph();
                kind = DetectOutputKind(output, outputName, OnnxGraphReader.ReadNodes(graph));
            }

            runOptions = new RunOptions();
            var model = new SegmentationModel(modelName, session, sessionOptions, runOptions, inputName, outputName, channels, options)
            {
                OutputKind = kind,
                ExecutionProvider = used.Provider,
                ExecutionProviderFallbackReason = fallback,
                ExecutionProviderAttempts = opened.Attempts,
            };
            if (fallback is not null)
            {
                string instead = used.Provider == OnnxExecutionProvider.Cpu ? "the CPU" : used.Name;
                options.Log?.Invoke($"SegmentationModel '{modelName}': running on {instead} instead of {opened.Attempts[0].Name}: {fallback}");
            }

            options.Log?.Invoke(
                $"SegmentationModel '{modelName}': execution provider {used.Name}; input '{inputName}' {model.InputLayout}; output '{outputName}' {model.OutputLayout} holds {kind} ({(detected ? "detected from the graph" : "as set in the options")}).");
            return model;
        }
        catch
        {
            runOptions?.Dispose();
            session?.Dispose();
            sessionOptions?.Dispose();
            throw;
        }
    }

    private static int ResolveChannels(InferenceSession session, NodeMetadata input, OnnxSessionOptions options, string modelName)
    {
        int declared = input.Dimensions[1];
        if (options.InputChannels is int wanted)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1, "options.InputChannels");
            if (declared >= 0 && declared != wanted)
            {
                throw new ArgumentException(
                    $"InputChannels ({wanted}) does not match the model '{modelName}', whose input takes {declared} channels. {Describe(session)}", nameof(options));
            }

            return wanted;
        }

        if (declared < 0)
        {
            throw new InvalidOperationException(
                $"The model '{modelName}' leaves its input's channel count dynamic; set InputChannels. {Describe(session)}");
        }

        return declared;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DisposeBindings();
        _session.Dispose();
        _runOptions.Dispose();
        _sessionOptions.Dispose();
    }
}
