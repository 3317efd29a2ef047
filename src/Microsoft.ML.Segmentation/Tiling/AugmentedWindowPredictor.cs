using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The state behind <see cref="TestTimeAugmentation.Wrap"/>: for a batch of windows, one inner run per (scale,
/// transform) with the whole batch, each output transformed back, resized back, activated (Probabilities merge) and
/// summed; the mean is returned. Its buffers are reused from call to call, as <see cref="WindowPredictor"/> allows.
/// </summary>
internal sealed class AugmentedWindowPredictor
{
    private readonly WindowPredictor _inner;
    private readonly TestTimeAugmentationOptions _options;
    private readonly bool _activate;
    private readonly IReadOnlyList<WindowTransform> _transforms;
    private float[] _scaled = Array.Empty<float>();
    private float[] _transformed = Array.Empty<float>();
    private float[] _restored = Array.Empty<float>();
    private float[] _resized = Array.Empty<float>();
    private float[] _sum = Array.Empty<float>();

    public AugmentedWindowPredictor(WindowPredictor inner, TestTimeAugmentationOptions options, bool scoresAreProbabilities)
    {
        _inner = inner;
        _options = options;
        _activate = options.Merge == TtaMerge.Probabilities && !scoresAreProbabilities;
        _transforms = WindowTransform.For(options.Flips);
    }

    public IReadOnlyList<FloatTensor> Predict(ReadOnlySpan<float> windows, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != 4 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"Test-time augmentation works on 2-D windows [B, C, H, W] with every size 1 or more; got [{string.Join(", ", shape)}].", nameof(shape));
        }

        int batch = shape[0];
        int channels = shape[1];
        int height = shape[2];
        int width = shape[3];
        _options.Validate(height, width);
        int planes = checked(batch * channels);
        if (windows.Length != (long)planes * height * width)
        {
            throw new ArgumentException($"Windows of shape [{string.Join(", ", shape)}] need {(long)planes * height * width} values; {windows.Length} were given.", nameof(windows));
        }

        int classes = 0;
        int outHeight = 0;
        int outWidth = 0;
        int runs = 0;
        // The scales that leave the window's size unchanged run first: their output size is the merged output's.
        IEnumerable<double> scales = _options.Scales.OrderBy(s => Leaves(height, s) && Leaves(width, s) ? 0 : 1);
        foreach (double scale in scales)
        {
            int scaledHeight = TestTimeAugmentationOptions.ScaledSize(height, scale);
            int scaledWidth = TestTimeAugmentationOptions.ScaledSize(width, scale);
            bool rescaled = scaledHeight != height || scaledWidth != width;
            ReadOnlySpan<float> input = windows;
            if (rescaled)
            {
                Grow(ref _scaled, (long)planes * scaledHeight * scaledWidth);
                BilinearResize.Resize(windows, planes, height, width, scaledHeight, scaledWidth, _scaled);
                input = _scaled.AsSpan(0, planes * scaledHeight * scaledWidth);
            }

            foreach (WindowTransform transform in _transforms)
            {
                (int runHeight, int runWidth) = transform.SizeOf(scaledHeight, scaledWidth);
                ReadOnlySpan<float> run = input;
                if (!transform.IsIdentity)
                {
                    Grow(ref _transformed, input.Length);
                    transform.Apply(input, planes, scaledHeight, scaledWidth, _transformed);
                    run = _transformed.AsSpan(0, input.Length);
                }

                FloatTensor output = RunInner(run, [batch, channels, runHeight, runWidth], batch, classes);
                classes = output.Shape[1];
                int outputPlanes = checked(batch * classes);

                // Undo the transform on the output; its own size may differ from the window's (a strided head).
                WindowTransform inverse = transform.Inverse;
                (int backHeight, int backWidth) = inverse.SizeOf(output.Shape[2], output.Shape[3]);
                ReadOnlySpan<float> values = output.Values.Span;
                if (!transform.IsIdentity)
                {
                    Grow(ref _restored, values.Length);
                    inverse.Apply(values, outputPlanes, output.Shape[2], output.Shape[3], _restored);
                    values = _restored.AsSpan(0, values.Length);
                }

                if (runs == 0)
                {
                    (outHeight, outWidth) = FirstOutputSize(backHeight, backWidth, height, width, scaledHeight, scaledWidth);
                    Grow(ref _sum, (long)outputPlanes * outHeight * outWidth);
                }

                if (backHeight != outHeight || backWidth != outWidth)
                {
                    if (!rescaled)
                    {
                        throw new InvalidOperationException(
                            $"The window predictor's output for a flipped or rotated window is {backHeight}x{backWidth} once the transform is undone; the window as it is gave {outHeight}x{outWidth}.");
                    }

                    Grow(ref _resized, (long)outputPlanes * outHeight * outWidth);
                    BilinearResize.Resize(values, outputPlanes, backHeight, backWidth, outHeight, outWidth, _resized);
                    values = _resized.AsSpan(0, outputPlanes * outHeight * outWidth);
                }

                Accumulate(values, batch, classes, outHeight, outWidth, first: runs == 0);
                runs++;
            }
        }

        Span<float> mean = _sum.AsSpan(0, batch * classes * outHeight * outWidth);
        TensorPrimitives.Divide(mean, (float)runs, mean);
        return [new FloatTensor(_sum.AsMemory(0, mean.Length), new[] { batch, classes, outHeight, outWidth })];
    }

    /// <summary>
    /// The merged output's size: the first run's (an unscaled one when the scale list has one), or, when every scale
    /// resizes the window, the first run's size × window / scaled size, rounded.
    /// </summary>
    private static (int Height, int Width) FirstOutputSize(int backHeight, int backWidth, int height, int width, int scaledHeight, int scaledWidth)
    {
        if (scaledHeight == height && scaledWidth == width)
        {
            return (backHeight, backWidth);
        }

        return (Math.Max(1, (int)Math.Floor(((double)backHeight * height / scaledHeight) + 0.5)), Math.Max(1, (int)Math.Floor(((double)backWidth * width / scaledWidth) + 0.5)));
    }

    private FloatTensor RunInner(ReadOnlySpan<float> run, int[] runShape, int batch, int classes)
    {
        IReadOnlyList<FloatTensor> outputs = _inner(run, runShape) ?? throw new InvalidOperationException("The window predictor returned null.");
        if (outputs.Count != 1)
        {
            throw new NotSupportedException(
                $"Test-time augmentation merges one predictor output; the predictor returned {outputs.Count} (multi-output and multi-resolution heads are not supported).");
        }

        FloatTensor output = outputs[0] ?? throw new InvalidOperationException("The window predictor returned a null output.");
        IReadOnlyList<int> shape = output.Shape;
        if (shape.Count != 4 || shape[0] != batch || shape.Skip(1).Any(d => d < 1) || (classes != 0 && shape[1] != classes))
        {
            throw new InvalidOperationException(
                $"The window predictor returned {output} for windows [{string.Join(", ", runShape)}]; test-time augmentation needs [{batch}, {(classes == 0 ? "K" : classes)}, H', W'] (K ≥ 1, the same for every copy).");
        }

        return output;
    }

    /// <summary>Adds one copy's scores (through the merge's activation) to the running sum, or starts it.</summary>
    private void Accumulate(ReadOnlySpan<float> values, int batch, int classes, int height, int width, bool first)
    {
        Span<float> sum = _sum.AsSpan(0, values.Length);
        if (!_activate)
        {
            if (first)
            {
                values.CopyTo(sum);
            }
            else
            {
                TensorPrimitives.Add(sum, values, sum);
            }

            return;
        }

        // mmseg's SegTTAModel: softmax over the channels, or a sigmoid for one channel, then the mean.
        Activation activation = classes == 1 ? Activation.Sigmoid : Activation.Softmax;
        var tensorShape = new SegmentationShape(batch, classes, height, width);
        if (first)
        {
            ActivationKernels.Apply(activation, values, tensorShape, sum);
            return;
        }

        // When values is the resize buffer itself, this activates it in place (the kernels allow it).
        Grow(ref _resized, values.Length);
        Span<float> probabilities = _resized.AsSpan(0, values.Length);
        ActivationKernels.Apply(activation, values, tensorShape, probabilities);
        TensorPrimitives.Add(sum, probabilities, sum);
    }

    private static bool Leaves(int size, double scale) => TestTimeAugmentationOptions.ScaledSize(size, scale) == size;

    private static void Grow(ref float[] buffer, long length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[checked((int)length)];
        }
    }
}
