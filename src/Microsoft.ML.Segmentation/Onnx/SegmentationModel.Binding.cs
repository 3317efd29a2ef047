using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Onnx;

public sealed partial class SegmentationModel
{
    // IOBinding needs the output's shape before the run. A segmentation model's output shape is a function of its
    // input shape, so the first run at each input shape uses plain Run and records it; later runs bind the caller's
    // (or a pooled) buffer and ONNX Runtime writes the output straight into it: no per-run tensor allocation.
    private readonly ConcurrentDictionary<(int Batch, int Height, int Width), long[]> _outputShapes = new();

    // An OrtIoBinding is not thread-safe; Run is. The queue keeps one binding per concurrent caller, reused, so it
    // never holds more than the peak number of simultaneous runs. A queue rather than a ConcurrentBag: the bag keeps a
    // list per thread that ever added to it, and a server's thread pool would keep adding threads to that list.
    private readonly ConcurrentQueue<OrtIoBinding> _bindings = new();

    private long _boundRuns;

    /// <summary>Runs that went through IOBinding so far (tests check the bound path is taken).</summary>
    internal long BoundRunCount => Interlocked.Read(ref _boundRuns);

    /// <summary>Whether runs bind inputs and outputs with ONNX Runtime's IOBinding (<see cref="OnnxSessionOptions.UseIoBinding"/>).</summary>
    public bool UsesIoBinding { get; private init; }

    private void RememberOutputShape(int batch, int height, int width, OrtValue output)
    {
        if (UsesIoBinding && _outputShapes.Count < 1024)
        {
            _outputShapes.TryAdd((batch, height, width), output.GetTensorTypeAndShape().Shape);
        }
    }

    /// <summary>The written and raw score shapes (or, for a mask model, the mask shape twice) of a known input shape.</summary>
    private bool TryGetBoundShapes(int batch, int height, int width, out SegmentationShape written, out SegmentationShape raw)
    {
        written = raw = default;
        if (!UsesIoBinding || !_outputShapes.TryGetValue((batch, height, width), out long[]? dims))
        {
            return false;
        }

        if (OutputKind == SegmentationOutputKind.Mask)
        {
            written = raw = MaskShape(dims, batch);
            return true;
        }

        raw = new SegmentationShape(batch, checked((int)dims[1]), checked((int)dims[2]), checked((int)dims[3]));
        bool resize = UpsampleToInput && (raw.Height != height || raw.Width != width);
        written = resize ? new SegmentationShape(batch, raw.Classes, height, width) : raw;
        return true;
    }

    /// <summary>Runs with the output bound to <paramref name="scores"/> (or to a pooled buffer that is then resized into it).</summary>
    private void RunScoresBound(ReadOnlySpan<float> input, long[] inputShape, SegmentationShape raw, SegmentationShape written, Span<float> scores)
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
    private void RunMaskBound(ReadOnlySpan<float> input, long[] inputShape, SegmentationShape written, Span<int> labels)
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
                binding.BindInput(InputName, inputValue);
                binding.BindOutput(OutputName, outputValue);
                _session.RunWithBinding(_runOptions, binding);
                Interlocked.Increment(ref _boundRuns);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime failed to run '{ModelName}' on '{InputName}' [{string.Join(",", inputShape)}] with bound buffers: {e.Message}", e);
            }
            finally
            {
                binding.ClearBoundInputs();
                binding.ClearBoundOutputs();
                _bindings.Enqueue(binding);
            }
        }
    }

    private void DisposeBindings()
    {
        while (_bindings.TryDequeue(out OrtIoBinding? binding))
        {
            binding.Dispose();
        }
    }
}
