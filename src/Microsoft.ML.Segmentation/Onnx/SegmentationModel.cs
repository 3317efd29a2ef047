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
    private readonly OnnxRunBinding _binding;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _fixedInput;
    private bool _disposed;

    private SegmentationModel(
        string modelName, InferenceSession session, SessionOptions sessionOptions, RunOptions runOptions,
        OnnxModelSignature signature, OnnxSessionOptions options)
    {
        ModelName = modelName;
        _session = session;
        _sessionOptions = sessionOptions;
        _runOptions = runOptions;
        _inputNames = [signature.InputName];
        _outputNames = [signature.OutputName];
        NodeMetadata input = session.InputMetadata[signature.InputName];
        NodeMetadata output = session.OutputMetadata[signature.OutputName];
        _fixedInput = Array.ConvertAll(input.Dimensions, d => (long)d);
        InputChannels = signature.InputChannels;
        OutputKind = signature.OutputKind;
        InputLayout = OnnxNodeText.FormatShape(input);
        OutputLayout = OnnxNodeText.FormatShape(output);
        UpsampleToInput = options.UpsampleToInput;
        _binding = new OnnxRunBinding(
            session, runOptions, modelName, signature.InputName, signature.OutputName, output.ElementDataType, options.UseIoBinding);
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
    public SegmentationOutputKind OutputKind { get; }

    /// <summary>Whether runs bind inputs and outputs with ONNX Runtime's IOBinding (<see cref="OnnxSessionOptions.UseIoBinding"/>).</summary>
    public bool UsesIoBinding => _binding.Enabled;

    /// <summary>Runs that went through IOBinding so far (tests check the bound path is taken).</summary>
    internal long BoundRunCount => _binding.BoundRunCount;

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
            OnnxOpenedSession opened = OnnxSessionFactory.Open(modelName, open, options, openGraph);
            session = opened.Session;
            sessionOptions = opened.Options;
            OnnxProviderAttempt used = opened.Attempts[^1];
            string? fallback = opened.Attempts.Count > 1 ? string.Join("; ", opened.Attempts.SkipLast(1).Select(a => a.FailureReason)) : null;
            OnnxModelSignature signature = OnnxModelSignature.Discover(session, options, modelName, openGraph);
            runOptions = new RunOptions();
            var model = new SegmentationModel(modelName, session, sessionOptions, runOptions, signature, options)
            {
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
                $"SegmentationModel '{modelName}': execution provider {used.Name}; input '{signature.InputName}' {model.InputLayout}; output '{signature.OutputName}' {model.OutputLayout} holds {signature.OutputKind} ({(signature.OutputKindDetected ? "detected from the graph" : "as set in the options")}).");
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

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _binding.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
        _sessionOptions.Dispose();
    }
}
