using System;
using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Channel-wise activations over NCHW tensors and their backward passes. Every operation runs along contiguous
/// pixel rows (one channel of one image) in chunks, so the per-pixel softmax vectorizes across pixels.
/// </summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
public static class ActivationKernels
{
    /// <summary>Pixels handled per chunk: small enough that a chunk of every channel stays in cache.</summary>
    internal const int ChunkPixels = 1024;

    /// <summary>Applies <paramref name="activation"/> to <paramref name="input"/>, writing probabilities.</summary>
    /// <param name="activation">The activation; <see cref="Activation.None"/> copies the input.</param>
    /// <param name="input">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="destination">Probabilities <c>[N,C,H,W]</c>; may be the same memory as <paramref name="input"/>.</param>
    /// <exception cref="ArgumentException">A length does not match <paramref name="shape"/>.</exception>
    public static void Apply<T>(Activation activation, ReadOnlySpan<T> input, SegmentationShape shape, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateScores(destination.Length, nameof(destination));
        switch (activation)
        {
            case Activation.None:
                input.CopyTo(destination);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(input, destination);
                break;
            case Activation.Softmax:
                Softmax(input, shape, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Softmax over the channel axis of each pixel: <c>p_c = exp(x_c − max) / Σ exp(x_k − max)</c>.</summary>
    /// <param name="logits">Logits <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="destination">Probabilities <c>[N,C,H,W]</c>; may alias <paramref name="logits"/>.</param>
    public static void Softmax<T>(ReadOnlySpan<T> logits, SegmentationShape shape, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SoftmaxOverChannels(logits, shape, destination, logOutput: false);

    /// <summary>Log-softmax over the channel axis: <c>log p_c = x_c − max − log Σ exp(x_k − max)</c>.</summary>
    /// <param name="logits">Logits <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The tensor shape.</param>
    /// <param name="destination">Log-probabilities <c>[N,C,H,W]</c>; may alias <paramref name="logits"/>.</param>
    public static void LogSoftmax<T>(ReadOnlySpan<T> logits, SegmentationShape shape, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SoftmaxOverChannels(logits, shape, destination, logOutput: true);

    /// <summary>
    /// Back-propagates a gradient with respect to probabilities through <paramref name="activation"/>.
    /// Softmax: <c>∂L/∂x_c = p_c (g_c − Σ_k p_k g_k)</c>; sigmoid: <c>∂L/∂x = g p (1 − p)</c>; none: identity.
    /// </summary>
    /// <param name="activation">The activation that produced <paramref name="probabilities"/>.</param>
    /// <param name="probabilities">The activation's output <c>[N,C,H,W]</c>.</param>
    /// <param name="gradient">On entry ∂L/∂p; on return ∂L/∂x (in place).</param>
    /// <param name="shape">The tensor shape.</param>
    public static unsafe void Backward<T>(Activation activation, ReadOnlySpan<T> probabilities, Span<T> gradient, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(probabilities.Length, nameof(probabilities));
        shape.ValidateScores(gradient.Length, nameof(gradient));
        switch (activation)
        {
            case Activation.None:
                return;
            case Activation.Sigmoid:
                SigmoidBackward(probabilities, gradient);
                return;
            case Activation.Softmax:
                fixed (T* pp = probabilities)
                fixed (T* gp = gradient)
                {
                    var p = new NativeSpan<T>(pp, probabilities.Length);
                    var g = new NativeSpan<T>(gp, gradient.Length);
                    int chunks = ChunkCount(shape);
                    ParallelWork.For(shape.Batch * chunks, shape.ElementCount, item =>
                    {
                        (int n, int start, int length) = ChunkOf(shape, chunks, item);
                        SoftmaxBackwardChunk(p.Span, g.Span, shape, n, start, length);
                    });
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>The chunks of <paramref name="chunkPixels"/> pixels (<see cref="ChunkPixels"/> unless given) per image.</summary>
    internal static int ChunkCount(SegmentationShape shape, int chunkPixels = ChunkPixels) => (shape.PixelsPerImage + chunkPixels - 1) / chunkPixels;

    /// <summary>The image, first pixel and length of work item <paramref name="item"/> of <see cref="ChunkCount"/>'s chunks.</summary>
    internal static (int Image, int Start, int Length) ChunkOf(SegmentationShape shape, int chunksPerImage, int item, int chunkPixels = ChunkPixels)
    {
        int n = item / chunksPerImage;
        int start = (item % chunksPerImage) * chunkPixels;
        return (n, start, Math.Min(chunkPixels, shape.PixelsPerImage - start));
    }

    private static unsafe void SoftmaxOverChannels<T>(ReadOnlySpan<T> logits, SegmentationShape shape, Span<T> destination, bool logOutput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(logits.Length, nameof(logits));
        shape.ValidateScores(destination.Length, nameof(destination));
        fixed (T* src = logits)
        fixed (T* dst = destination)
        {
            var x = new NativeSpan<T>(src, logits.Length);
            var p = new NativeSpan<T>(dst, destination.Length);
            int chunks = ChunkCount(shape);
            ParallelWork.For(shape.Batch * chunks, shape.ElementCount, item =>
            {
                (int n, int start, int length) = ChunkOf(shape, chunks, item);
                SoftmaxChunk(x.Span, p.Span, shape, n, start, length, logOutput);
            });
        }
    }

    private static void SigmoidBackward<T>(ReadOnlySpan<T> p, Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> scratch = stackalloc T[ChunkPixels];
        for (int start = 0; start < p.Length; start += ChunkPixels)
        {
            int length = Math.Min(ChunkPixels, p.Length - start);
            ReadOnlySpan<T> pc = p.Slice(start, length);
            Span<T> gc = g.Slice(start, length);
            Span<T> s = scratch[..length];
            TensorPrimitives.Subtract(T.One, pc, s);       // 1 - p
            TensorPrimitives.Multiply(s, pc, s);           // p (1 - p)
            TensorPrimitives.Multiply(gc, s, gc);
        }
    }

    private static void SoftmaxChunk<T>(ReadOnlySpan<T> x, Span<T> p, SegmentationShape shape, int n, int start, int length, bool logOutput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        Span<T> max = stackalloc T[length];
        Span<T> sum = stackalloc T[length];
        Span<T> tmp = stackalloc T[length];
        x.Slice(image + start, length).CopyTo(max);
        for (int k = 1; k < c; k++)
        {
            TensorPrimitives.Max(max, x.Slice(image + (k * s) + start, length), max);
        }

        sum.Clear();
        for (int k = 0; k < c; k++)
        {
            ReadOnlySpan<T> row = x.Slice(image + (k * s) + start, length);
            Span<T> outRow = p.Slice(image + (k * s) + start, length);
            TensorPrimitives.Subtract(row, max, tmp);
            if (logOutput)
            {
                // x - max is needed again once the sum is known; keep it in the output row.
                tmp.CopyTo(outRow);
                TensorPrimitives.Exp(tmp, tmp);
                TensorPrimitives.Add(sum, tmp, sum);
            }
            else
            {
                TensorPrimitives.Exp(tmp, outRow);
                TensorPrimitives.Add(sum, outRow, sum);
            }
        }

        if (logOutput)
        {
            TensorPrimitives.Log(sum, sum);
            for (int k = 0; k < c; k++)
            {
                Span<T> outRow = p.Slice(image + (k * s) + start, length);
                TensorPrimitives.Subtract(outRow, sum, outRow);
            }
        }
        else
        {
            TensorPrimitives.Reciprocal(sum, sum);
            for (int k = 0; k < c; k++)
            {
                Span<T> outRow = p.Slice(image + (k * s) + start, length);
                TensorPrimitives.Multiply(outRow, sum, outRow);
            }
        }
    }

    private static void SoftmaxBackwardChunk<T>(ReadOnlySpan<T> p, Span<T> g, SegmentationShape shape, int n, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        Span<T> dot = stackalloc T[length];
        dot.Clear();
        for (int k = 0; k < c; k++)
        {
            int offset = image + (k * s) + start;
            TensorPrimitives.FusedMultiplyAdd(p.Slice(offset, length), g.Slice(offset, length), dot, dot);
        }

        for (int k = 0; k < c; k++)
        {
            int offset = image + (k * s) + start;
            Span<T> gRow = g.Slice(offset, length);
            TensorPrimitives.Subtract(gRow, dot, gRow);
            TensorPrimitives.Multiply(gRow, p.Slice(offset, length), gRow);
        }
    }
}
