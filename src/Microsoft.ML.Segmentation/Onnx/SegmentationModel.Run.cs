using System;
using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Onnx;

public sealed partial class SegmentationModel
{
    /// <summary>Runs a batch and writes the float scores into <paramref name="scores"/>.</summary>
    /// <param name="input">The images, float <c>[batch,InputChannels,height,width]</c>, normalised as the model expects. Not copied: ONNX Runtime reads it in place.</param>
    /// <param name="batch">Images in the batch; 1 or more.</param>
    /// <param name="height">Image height; 1 or more (and the model's value where it fixes one).</param>
    /// <param name="width">Image width; 1 or more (and the model's value where it fixes one).</param>
    /// <param name="scores">
    /// Receives the scores <c>[batch,K,H',W']</c>, copied once from ONNX Runtime's output (or resized into it). With
    /// <see cref="UpsampleToInput"/>, or a model whose output has the input's size, H'×W' = height×width, so
    /// <c>batch·K·height·width</c> values suffice.
    /// </param>
    /// <returns>The shape of what was written.</returns>
    /// <exception cref="ArgumentException">Lengths or sizes do not fit the model, or <paramref name="scores"/> is too short (the message gives the length needed).</exception>
    /// <exception cref="InvalidOperationException">The model's output is an integer mask (use <see cref="RunMask"/>), or ONNX Runtime fails.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public SegmentationShape Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> scores)
    {
        long[] shape = CheckScoresInput(input, batch, height, width);
        if (TryGetBoundShapes(batch, height, width, out SegmentationShape written, out SegmentationShape raw))
        {
            CheckScoresLength(scores.Length, written, nameof(scores));
            _binding.RunScores(input, shape, raw, written, scores);
            return written;
        }

        (IDisposableReadOnlyCollection<OrtValue> outputs, written, raw) = RunScores(input, shape, batch, height, width);
        using IDisposableReadOnlyCollection<OrtValue> owned = outputs;
        CheckScoresLength(scores.Length, written, nameof(scores));
        WriteScores(outputs[0], raw, written, scores);
        return written;
    }

    private void CheckScoresLength(int length, SegmentationShape written, string parameterName)
    {
        if (length < written.ElementCount)
        {
            throw new ArgumentException(
                $"{parameterName} holds {length} values; the output {written} of '{ModelName}' needs {written.ElementCount}.", parameterName);
        }
    }

    /// <summary>
    /// Runs a batch and writes the float scores into <paramref name="scores"/>, replacing the array with a larger one
    /// when the output needs more room (for models whose class count is dynamic, <see cref="OutputChannels"/> is null).
    /// </summary>
    /// <param name="input">The images, as for <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/>.</param>
    /// <param name="batch">Images in the batch.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="scores">A buffer to reuse across calls; on return it holds at least the scores written.</param>
    /// <returns>The shape of what was written (its element count is the valid prefix of <paramref name="scores"/>).</returns>
    /// <exception cref="ArgumentException">Lengths or sizes do not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The model's output is an integer mask, or ONNX Runtime fails.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public SegmentationShape Run(ReadOnlySpan<float> input, int batch, int height, int width, ref float[] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        long[] shape = CheckScoresInput(input, batch, height, width);
        if (TryGetBoundShapes(batch, height, width, out SegmentationShape written, out SegmentationShape raw))
        {
            if (scores.Length < written.ElementCount)
            {
                scores = new float[written.ElementCount];
            }

            _binding.RunScores(input, shape, raw, written, scores);
            return written;
        }

        (IDisposableReadOnlyCollection<OrtValue> outputs, written, raw) = RunScores(input, shape, batch, height, width);
        using IDisposableReadOnlyCollection<OrtValue> owned = outputs;
        if (scores.Length < written.ElementCount)
        {
            scores = new float[written.ElementCount];
        }

        WriteScores(outputs[0], raw, written, scores);
        return written;
    }

    private long[] CheckScoresInput(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (OutputKind == SegmentationOutputKind.Mask)
        {
            throw new InvalidOperationException(
                $"The output '{OutputName}' of '{ModelName}' is an integer mask {OutputLayout}; call RunMask.");
        }

        return CheckInput(input, batch, height, width);
    }

    /// <summary>Runs a float-output model with plain Run (learning its output shape); the caller disposes the outputs.</summary>
    private (IDisposableReadOnlyCollection<OrtValue> Outputs, SegmentationShape Written, SegmentationShape Raw) RunScores(
        ReadOnlySpan<float> input, long[] shape, int batch, int height, int width)
    {
        IDisposableReadOnlyCollection<OrtValue> outputs = RunCore(input, shape);
        try
        {
            (SegmentationShape written, SegmentationShape raw) = ScoreShapes(outputs[0], batch, height, width);
            _binding.RememberOutputShape(batch, height, width, outputs[0]);
            return (outputs, written, raw);
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    /// <summary>The shape ONNX Runtime returned, and the shape written after any upsampling.</summary>
    private (SegmentationShape Written, SegmentationShape Raw) ScoreShapes(OrtValue output, int batch, int height, int width)
    {
        long[] dims = output.GetTensorTypeAndShape().Shape;
        if (dims.Length != 4 || dims[0] != batch)
        {
            throw new InvalidOperationException(
                $"The model '{ModelName}' returned '{OutputName}' with shape [{string.Join(",", dims)}] for a batch of {batch}; expected [{batch},K,H,W].");
        }

        var raw = new SegmentationShape(batch, checked((int)dims[1]), checked((int)dims[2]), checked((int)dims[3]));
        bool resize = UpsampleToInput && (raw.Height != height || raw.Width != width);
        return (resize ? new SegmentationShape(batch, raw.Classes, height, width) : raw, raw);
    }

    /// <summary>Copies (or resizes) the output once into <paramref name="destination"/>; the span over native memory stays here.</summary>
    private static void WriteScores(OrtValue output, SegmentationShape raw, SegmentationShape written, Span<float> destination)
    {
        ReadOnlySpan<float> data = output.GetTensorDataAsSpan<float>();
        if (raw != written)
        {
            BilinearResize.Resize(data, raw.Batch * raw.Classes, raw.Height, raw.Width, written.Height, written.Width, destination);
        }
        else
        {
            data.CopyTo(destination);
        }
    }

    /// <summary>
    /// Runs a batch and writes one class index per pixel: the model's own mask, or the argmax of its scores (ties to
    /// the lowest class), or for a one-channel model the foreground test (probability &gt; 0.5, logit &gt; 0).
    /// </summary>
    /// <param name="input">The images, float <c>[batch,InputChannels,height,width]</c>, normalised as the model expects.</param>
    /// <param name="batch">Images in the batch; 1 or more.</param>
    /// <param name="height">Image height; 1 or more.</param>
    /// <param name="width">Image width; 1 or more.</param>
    /// <param name="labels">Receives the class indices <c>[batch,H',W']</c>; integer masks are never resized.</param>
    /// <returns>The shape of what was written, with one channel.</returns>
    /// <exception cref="ArgumentException">Lengths or sizes do not fit the model, or <paramref name="labels"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime fails.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public SegmentationShape RunMask(ReadOnlySpan<float> input, int batch, int height, int width, Span<int> labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (OutputKind != SegmentationOutputKind.Mask)
        {
            return RunMaskFromScores(input, batch, height, width, labels);
        }

        long[] shape = CheckInput(input, batch, height, width);
        if (TryGetBoundShapes(batch, height, width, out SegmentationShape written, out _))
        {
            CheckLabelsLength(labels.Length, written);
            _binding.RunMask(input, shape, written, labels);
            return written;
        }

        using IDisposableReadOnlyCollection<OrtValue> outputs = RunCore(input, shape);
        OrtValue output = outputs[0];
        written = MaskShape(output.GetTensorTypeAndShape().Shape, batch);
        _binding.RememberOutputShape(batch, height, width, output);
        CheckLabelsLength(labels.Length, written);
        switch (output.GetTensorTypeAndShape().ElementDataType)
        {
            case TensorElementType.Int64:
                MaskLabels.FromInt64(output.GetTensorDataAsSpan<long>(), labels);
                break;
            case TensorElementType.UInt8:
                MaskLabels.FromBytes(output.GetTensorDataAsSpan<byte>(), labels);
                break;
            default:
                output.GetTensorDataAsSpan<int>().CopyTo(labels);
                break;
        }

        return written;
    }

    /// <summary>The written and raw score shapes (or, for a mask model, the mask shape twice) of a known input shape.</summary>
    private bool TryGetBoundShapes(int batch, int height, int width, out SegmentationShape written, out SegmentationShape raw)
    {
        written = raw = default;
        if (!_binding.TryGetOutputShape(batch, height, width, out long[]? dims))
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

    private SegmentationShape MaskShape(long[] dims, int batch)
    {
        bool ok = dims.Length == 3 || (dims.Length == 4 && dims[1] == 1);
        if (!ok || dims[0] != batch)
        {
            throw new InvalidOperationException(
                $"The model '{ModelName}' returned the mask '{OutputName}' with shape [{string.Join(",", dims)}] for a batch of {batch}; expected [{batch},H,W] or [{batch},1,H,W].");
        }

        return new SegmentationShape(batch, 1, checked((int)dims[^2]), checked((int)dims[^1]));
    }

    private void CheckLabelsLength(int length, SegmentationShape written)
    {
        if (length < written.PixelCount)
        {
            throw new ArgumentException(
                $"labels holds {length} values; the mask [{written.Batch},1,{written.Height},{written.Width}] of '{ModelName}' needs {written.PixelCount}.", "labels");
        }
    }

    private SegmentationShape RunMaskFromScores(ReadOnlySpan<float> input, int batch, int height, int width, Span<int> labels)
    {
        long[] inputShape = CheckInput(input, batch, height, width);
        if (TryGetBoundShapes(batch, height, width, out SegmentationShape shape, out SegmentationShape raw))
        {
            CheckLabelsLength(labels.Length, shape);
            float[] scores = ArrayPool<float>.Shared.Rent(shape.ElementCount);
            try
            {
                _binding.RunScores(input, inputShape, raw, shape, scores);
                return LabelsFromScores(scores.AsSpan(0, shape.ElementCount), shape, labels);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        }

        using IDisposableReadOnlyCollection<OrtValue> outputs = RunCore(input, inputShape);
        (shape, raw) = ScoreShapes(outputs[0], batch, height, width);
        _binding.RememberOutputShape(batch, height, width, outputs[0]);
        CheckLabelsLength(labels.Length, shape);
        float[] rented = ArrayPool<float>.Shared.Rent(shape.ElementCount);
        try
        {
            WriteScores(outputs[0], raw, shape, rented);
            return LabelsFromScores(rented.AsSpan(0, shape.ElementCount), shape, labels);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private SegmentationShape LabelsFromScores(ReadOnlySpan<float> scores, SegmentationShape shape, Span<int> labels)
    {
        // SegML's one scores-to-labels step; a one-channel model at the default probability 0.5 (logit 0 on logits).
        MaskPrediction.PredictLabels(scores, shape, ForegroundThreshold.Default, OutputKind == SegmentationOutputKind.Probabilities, labels[..shape.PixelCount]);
        return shape.WithClasses(1);
    }

    private long[] CheckInput(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long[] shape = [batch, InputChannels, height, width];
        for (int i = 0; i < 4; i++)
        {
            if (_fixedInput[i] >= 0 && _fixedInput[i] != shape[i])
            {
                throw new ArgumentException(
                    $"The model '{ModelName}' takes '{InputName}' {InputLayout}; [{string.Join(",", shape)}] does not fit dimension {i}.", nameof(input));
            }
        }

        long expected = (long)batch * InputChannels * height * width;
        if (input.Length != expected)
        {
            throw new ArgumentException(
                $"input holds {input.Length} values; [{batch},{InputChannels},{height},{width}] needs {expected}.", nameof(input));
        }

        return shape;
    }

    private unsafe IDisposableReadOnlyCollection<OrtValue> RunCore(ReadOnlySpan<float> input, long[] shape)
    {
        // The span is pinned for the duration of Run only; the OrtValue over it dies inside the fixed block.
        fixed (float* data = input)
        {
            using OrtValue value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (IntPtr)data, (long)input.Length * sizeof(float));
            try
            {
                return _session.Run(_runOptions, _inputNames, [value], _outputNames);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime failed to run '{ModelName}' on '{InputName}' [{string.Join(",", shape)}]: {e.Message}", e);
            }
        }
    }
}
