using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Float32 cross-entropy against a label map with <see cref="Vector{T}"/> along the pixels of a chunk (NCHW is
/// contiguous along W): three passes over the chunk's channel rows (max; exp and sum; gradient), each a single fused
/// loop, with <see cref="VectorMath"/>'s exp and log, and the label's logit gathered (its gradient term scattered) once per pixel. The rows of a chunk stay in cache between the
/// passes, so logits come from memory once and the gradient goes back once. Losses are added per pixel in float and
/// per vector in double. Non-finite logits are detected during the first pass (and reported by
/// <see cref="FiniteGuard"/>, the gradient then unspecified), not by a separate single-threaded pass before it.
/// <see cref="CrossEntropyLabelKernel"/> is the reference it must match, and handles the chunk tails shorter than a vector.
/// </summary>
internal static unsafe class CrossEntropyLabelVectorKernel
{
    /// <summary>Whether this kernel applies: <see cref="Vector{T}"/> is hardware-accelerated.</summary>
    public static bool IsSupported => Vector.IsHardwareAccelerated;

    public static double Run(ReadOnlySpan<float> input, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, double[] weights, double smoothing, Span<float> gradient, CrossEntropyLabelKernel.DenominatorRule denominatorRule)
    {
        (double weightSum, double validCount) = CrossEntropyLabelKernel.LabelTotals(labels, ignore, weights);
        double denominator = denominatorRule(shape, weightSum, validCount);
        double scale = denominator > 0 ? 1 / denominator : 0;
        int chunks = ActivationKernels.ChunkCount(shape);
        var partial = new double[shape.Batch * chunks];
        var nonFinite = new bool[partial.Length];
        var coefficients = new Coefficients(weights, smoothing, scale, ignore);
        fixed (float* xp = input)
        fixed (int* lp = labels)
        fixed (float* gp = gradient)
        {
            var x = new NativeSpan<float>(xp, input.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var g = new NativeSpan<float>(gp, gradient.Length);
            bool wantGradient = !gradient.IsEmpty;
            ParallelWork.For(partial.Length, shape.ElementCount, item =>
            {
                (int n, int start, int length) = ActivationKernels.ChunkOf(shape, chunks, item);
                int vectorLength = length - (length % Vector<float>.Count);
                Span<float> gs = wantGradient ? g.Span : default;
                double sum = vectorLength > 0 ? Chunk(x.Span, l.Span, gs, shape, n, start, vectorLength, coefficients, out nonFinite[item]) : 0;
                if (vectorLength < length)
                {
                    nonFinite[item] |= !TailIsFinite(x.Span, shape, n, start + vectorLength, length - vectorLength);
                    sum += CrossEntropyLabelKernel.Chunk(x.Span, l.Span, gs, shape, n, start + vectorLength, length - vectorLength, ignore, weights, smoothing, scale);
                }

                partial[item] = sum;
            });
        }

        if (Array.IndexOf(nonFinite, true) >= 0)
        {
            FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        }

        // Chunk sums in chunk order: the result does not depend on the number of threads.
        double total = 0;
        foreach (double value in partial)
        {
            total += value;
        }

        return total * scale;
    }

    /// <summary>Returns the chunk's summed pixel losses (unscaled); writes its gradient (scaled) when asked. <paramref name="length"/> is a multiple of the vector width.</summary>
    /// <remarks>
    /// The label's logit and weight are gathered once per pixel (and its gradient term scattered once per pixel) by
    /// scalar code, instead of a compare and two selects per element of every channel: per element, the passes do
    /// only a max, an exp and a multiply.
    /// </remarks>
    private static double Chunk(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> gradient, SegmentationShape shape, int n, int start, int length, in Coefficients k, out bool nonFinite)
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        int image = n * c * s;
        int count = length / Vector<float>.Count;
        bool wantGradient = !gradient.IsEmpty;
        bool smoothing = k.Smoothing != 0;
        ReadOnlySpan<int> label = labels.Slice((n * s) + start, length);
        ReadOnlySpan<Vector<int>> labelVectors = MemoryMarshal.Cast<int, Vector<int>>(label);
        Span<Vector<float>> max = stackalloc Vector<float>[count];
        Span<Vector<float>> sum = stackalloc Vector<float>[count];
        Span<Vector<float>> xyVectors = stackalloc Vector<float>[count]; // the logit of the label's channel
        Span<Vector<float>> wyVectors = stackalloc Vector<float>[count]; // the label's class weight (0 where ignored)
        Span<Vector<float>> swx = smoothing ? stackalloc Vector<float>[count] : default; // Σ_k w_k x_k
        Span<float> xy = MemoryMarshal.Cast<Vector<float>, float>(xyVectors);
        Span<float> wy = MemoryMarshal.Cast<Vector<float>, float>(wyVectors);

        // Pass 1: the channel maximum and Σ w_k x_k; x − x is NaN exactly for NaN and ±∞.
        Vector<float> finite = Vector<float>.Zero;
        Row(x, image + start, length).CopyTo(max);
        for (int ch = 0; ch < c; ch++)
        {
            ReadOnlySpan<Vector<float>> row = Row(x, image + (ch * s) + start, length);
            for (int i = 0; i < count; i++)
            {
                Vector<float> v = row[i];
                finite += v - v;
                max[i] = Vector.MaxNative(max[i], v);
            }

            if (smoothing)
            {
                var w = new Vector<float>(k.Weights[ch]);
                for (int i = 0; i < count; i++)
                {
                    swx[i] = ch == 0 ? w * row[i] : Vector.MultiplyAddEstimate(w, row[i], swx[i]);
                }
            }
        }

        nonFinite = !Vector.EqualsAll(finite, Vector<float>.Zero);

        // The label's logit and weight, per pixel (0 and 0 where ignored).
        ReadOnlySpan<float> chunk = x.Slice(image + start);
        for (int p = 0; p < length; p++)
        {
            int y = label[p];
            bool valid = y != k.Ignore;
            xy[p] = valid ? chunk[(y * s) + p] : 0;
            wy[p] = valid ? k.Weights[y] : 0;
        }

        // Pass 2: e_k = exp(x_k − max), summed; e_k waits in the gradient row to become its softmax term.
        for (int ch = 0; ch < c; ch++)
        {
            ReadOnlySpan<Vector<float>> row = Row(x, image + (ch * s) + start, length);
            if (wantGradient)
            {
                Span<Vector<float>> e = MemoryMarshal.Cast<float, Vector<float>>(gradient.Slice(image + (ch * s) + start, length));
                for (int i = 0; i < count; i++)
                {
                    Vector<float> ev = VectorMath.ExpNonPositive(row[i] - max[i]);
                    sum[i] = ch == 0 ? ev : sum[i] + ev;
                    e[i] = ev;
                }
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    Vector<float> ev = VectorMath.ExpNonPositive(row[i] - max[i]);
                    sum[i] = ch == 0 ? ev : sum[i] + ev;
                }
            }
        }

        // Per pixel: loss = −((1 − ε)·w_y·(x_y − lse) + ε/C·(Σ w_k x_k − Σw·lse)), lse = max + log Σe; 0 where ignored.
        var ignore = new Vector<int>(k.Ignore);
        var keep = new Vector<float>(1 - k.Smoothing);
        var spread = new Vector<float>(k.SmoothingPerClass);
        var spreadTotal = new Vector<float>(k.SmoothingPerClass * k.WeightTotal);
        var scale = new Vector<float>(k.Scale);
        Vector<double> total = Vector<double>.Zero;
        for (int i = 0; i < count; i++)
        {
            Vector<float> valid = Vector.AsVectorSingle(~Vector.Equals(labelVectors[i], ignore));
            Vector<float> logSum = VectorMath.Log(sum[i]);
            Vector<float> loss = wyVectors[i] * (xyVectors[i] - max[i] - logSum);
            if (smoothing)
            {
                Vector<float> lse = max[i] + logSum;
                loss = (keep * loss) + (spread * (swx[i] - (new Vector<float>(k.WeightTotal) * lse)));
            }

            Vector.Widen(-loss & valid, out Vector<double> low, out Vector<double> high);
            total += low + high;
            if (wantGradient)
            {
                // ∂/∂x_k = scale·(A·e_k/Σe − ε/C·w_k) − scale·(1 − ε)·w_y·[k = y], A = (1 − ε)w_y + ε/C·Σw.
                Vector<float> a = smoothing ? Vector.MultiplyAddEstimate(keep, wyVectors[i], spreadTotal) : wyVectors[i];
                max[i] = (scale * a / sum[i]) & valid;  // the factor of e_k
            }
        }

        if (wantGradient)
        {
            // Pass 3: the gradient rows, from e_k in place (with the smoothing offset, 0 where ignored).
            for (int ch = 0; ch < c; ch++)
            {
                Span<Vector<float>> g = MemoryMarshal.Cast<float, Vector<float>>(gradient.Slice(image + (ch * s) + start, length));
                if (smoothing)
                {
                    var offset = new Vector<float>(k.Scale * k.SmoothingPerClass * k.Weights[ch]);
                    for (int i = 0; i < count; i++)
                    {
                        g[i] = ((g[i] * max[i]) - offset) & Vector.AsVectorSingle(~Vector.Equals(labelVectors[i], ignore));
                    }
                }
                else
                {
                    for (int i = 0; i < count; i++)
                    {
                        g[i] *= max[i];
                    }
                }
            }

            // The label's term, once per pixel: wy is 0 where ignored, so those pixels keep their 0.
            float scaleKeep = k.Scale * (1 - k.Smoothing);
            Span<float> gradientChunk = gradient.Slice(image + start);
            for (int p = 0; p < length; p++)
            {
                gradientChunk[(label[p] == k.Ignore ? 0 : label[p] * s) + p] -= scaleKeep * wy[p];
            }
        }

        return Vector.Sum(total);
    }

    private static ReadOnlySpan<Vector<float>> Row(ReadOnlySpan<float> x, int offset, int length)
        => MemoryMarshal.Cast<float, Vector<float>>(x.Slice(offset, length));

    /// <summary>Whether every logit of the pixels <c>[start, start + length)</c> of image <paramref name="n"/> is finite.</summary>
    private static bool TailIsFinite(ReadOnlySpan<float> x, SegmentationShape shape, int n, int start, int length)
    {
        int s = shape.PixelsPerImage;
        for (int ch = 0; ch < shape.Classes; ch++)
        {
            foreach (float v in x.Slice((((n * shape.Classes) + ch) * s) + start, length))
            {
                if (!float.IsFinite(v))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The per-call constants of the kernel, in float.</summary>
    private readonly struct Coefficients
    {
        public Coefficients(double[] weights, double smoothing, double scale, int ignore)
        {
            Weights = Array.ConvertAll(weights, w => (float)w);
            double weightTotal = 0;
            foreach (double w in weights)
            {
                weightTotal += w;
            }

            WeightTotal = (float)weightTotal;
            Smoothing = (float)smoothing;
            SmoothingPerClass = (float)(smoothing / weights.Length);
            Scale = (float)scale;
            Ignore = ignore;
        }

        public float[] Weights { get; }

        public float WeightTotal { get; }

        public float Smoothing { get; }

        public float SmoothingPerClass { get; }

        public float Scale { get; }

        public int Ignore { get; }
    }
}
