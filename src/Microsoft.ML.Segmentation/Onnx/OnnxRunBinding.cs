using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// The IOBinding side of a <see cref="SegmentationModel"/>: the output shapes learnt per input shape, a pool of
/// <see cref="OrtIoBinding"/>s, and runs whose output ONNX Runtime writes straight into the caller's (or a pooled) buffer.
/// </summary>
/// <remarks>Thread safety: every member may be called from several threads at once, except <see cref="Dispose"/>,
/// which must not race with a run.</remarks>
internal sealed class OnnxRunBinding : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly string _modelName;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly TensorElementType _outputElementType;

    // IOBinding needs the output's shape before the run. A segmentation model's output shape is a function of its
    // input shape, so the first run at each input shape uses plain Run and records it; later runs bind the caller's
    // (or a pooled) buffer and ONNX Runtime writes the output straight into it: no per-run tensor allocation.
    private readonly ConcurrentDictionary<(int Batch, int Height, int Width), long[]> _outputShapes = new();

    // An OrtIoBinding is not thread-safe; Run is. The queue keeps one binding per concurrent caller, reused, so it
    // never holds more than the peak number of simultaneous runs. A queue rather than a ConcurrentBag: the bag keeps a
    // list per thread that ever added to it, and a server's thread pool would keep adding threads to that list.
    private readonly ConcurrentQueue<OrtIoBinding> _bindings = new();

    private long _boundRuns;

    /// <summary>Creates the binding side of a model; it owns no session, only the bindings it creates.</summary>
    /// <param name="session">The model's session.</param>
    /// <param name="runOptions">The model's run options.</param>
    /// <param name="modelName">The model's path or name, for messages.</param>
    /// <param name="inputName">The image input.</param>
    /// <param name="outputName">The output read.</param>
    /// <param name="outputElementType">The output's element type (float scores or an integer mask).</param>
    /// <param name="enabled">Whether runs use IOBinding at all (<see cref="OnnxSessionOptions.UseIoBinding"/>).</param>
    public OnnxRunBinding(
        InferenceSession session, RunOptions runOptions, string modelName, string inputName, string outputName, TensorElementType outputElementType, bool enabled)
    {
        _session = session;
        _runOptions = runOptions;
        _modelName = modelName;
        _inputName = inputName;
        _outputName = outputName;
        _outputElementType = outputElementType;
        Enabled = enabled;
    }

    /// <summary>Runs that went through IOBinding so far (tests check the bound path is taken).</summary>
    public long BoundRunCount => Interlocked.Read(ref _boundRuns);

    /// <summary>Whether runs bind inputs and outputs with ONNX Runtime's IOBinding.</summary>
    public bool Enabled { get; }

    /// <summary>Records the output shape a plain run gave for an input shape, so later runs at that shape can be bound.</summary>
    public void RememberOutputShape(int batch, int height, int width, OrtValue output)
    {
        if (Enabled && _outputShapes.Count < 1024)
        {
            _outputShapes.TryAdd((batch, height, width), output.GetTensorTypeAndShape().Shape);
        }
    }

    /// <summary>The output shape learnt for an input shape, when binding is enabled and a run at that shape was seen.</summary>
    public bool TryGetOutputShape(int batch, int height, int width, [NotNullWhen(true)] out long[]? dims)
    {
        dims = null;
        return Enabled && _outputShapes.TryGetValue((batch, height, width), out dims);
    }

    /// <summary>Runs with the output bound to <paramref name="scores"/> (or to a pooled buffer that is then resized into it).</summary>
    public void RunScores(ReadOnlySpan<float> input, long[] inputShape, SegmentationShape raw, SegmentationShape written, Span<float> scores)
    {
        long[] outputShape = _outputShapes[(raw.Batch, (int)inputShape[2], (int)inputShape[3])];
        if (raw == written)
        {
            RunBound(input, inputShape, MemoryMarshal.AsBytes(scores[..raw.ElementCount]), outputShape, TensorElementType.Float);
            return;
        }

        float[] rawScores = ArrayPool<float>.Shared.Rent(raw.ElementCount);
        try
        {
            RunBound(input, inputShape, MemoryMarshal.AsBytes(rawScores.AsSpan(0, raw.ElementCount)), outputShape, TensorElementType.Float);
            BilinearResize.Resize(rawScores.AsSpan(0, raw.ElementCount), raw.Batch * raw.Classes, raw.Height, raw.Width, written.Height, written.Width, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rawScores);
        }
    }

    /// <summary>Runs a mask model with its output bound: Int32 straight into <paramref name="labels"/>, other types through a pooled buffer.</summary>
    public void RunMask(ReadOnlySpan<float> input, long[] inputShape, SegmentationShape written, Span<int> labels)
    {
        long[] outputShape = _outputShapes[(written.Batch, (int)inputShape[2], (int)inputShape[3])];
        int count = written.PixelCount;
        switch (_outputElementType)
        {
            case TensorElementType.Int32:
                RunBound(input, inputShape, MemoryMarshal.AsBytes(labels[..count]), outputShape, TensorElementType.Int32);
                return;
            case TensorElementType.Int64:
                long[] wide = ArrayPool<long>.Shared.Rent(count);
                try
                {
                    RunBound(input, inputShape, MemoryMarshal.AsBytes(wide.AsSpan(0, count)), outputShape, TensorElementType.Int64);
                    MaskLabels.FromInt64(wide.AsSpan(0, count), labels);
                }
                finally
                {
                    ArrayPool<long>.Shared.Return(wide);
                }

                return;
            default:
                byte[] narrow = ArrayPool<byte>.Shared.Rent(count);
                try
                {
                    RunBound(input, inputShape, narrow.AsSpan(0, count), outputShape, TensorElementType.UInt8);
                    MaskLabels.FromBytes(narrow.AsSpan(0, count), labels);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(narrow);
                }

                return;
        }
    }

    private unsafe void RunBound(ReadOnlySpan<float> input, long[] inputShape, Span<byte> output, long[] outputShape, TensorElementType outputType)
    {
        // Both spans stay pinned for the run only; the OrtValues over them die inside the fixed block.
        fixed (float* inputData = input)
        fixed (byte* outputData = output)
        {
            using OrtValue inputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, inputShape, (IntPtr)inputData, (long)input.Length * sizeof(float));
            using OrtValue outputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, outputType, outputShape, (IntPtr)outputData, output.Length);
            OrtIoBinding binding = _bindings.TryDequeue(out OrtIoBinding? pooled) ? pooled : _session.CreateIoBinding();
            try
            {
                binding.BindInput(_inputName, inputValue);
                binding.BindOutput(_outputName, outputValue);
                _session.RunWithBinding(_runOptions, binding);
                Interlocked.Increment(ref _boundRuns);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime failed to run '{_modelName}' on '{_inputName}' [{string.Join(",", inputShape)}] with bound buffers: {e.Message}", e);
            }
            finally
            {
                binding.ClearBoundInputs();
                binding.ClearBoundOutputs();
                _bindings.Enqueue(binding);
            }
        }
    }

    /// <summary>Disposes the pooled bindings; the session and run options belong to the model.</summary>
    public void Dispose()
    {
        while (_bindings.TryDequeue(out OrtIoBinding? binding))
        {
            binding.Dispose();
        }
    }
}
