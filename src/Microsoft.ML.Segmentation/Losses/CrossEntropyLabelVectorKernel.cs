using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Float32 cross-entropy against a label map, vectorized along the pixels of a chunk (NCHW is contiguous along W) at
/// the widest accelerated width (<see cref="ISimdFloat{TSelf}"/>: 512 bits on AVX-512 where <see cref="Vector512Policy"/> allows): three passes over the chunk's channel rows (max; exp and sum; gradient), each a single fused
/// loop, with <see cref="VectorMath"/>'s exp and log, and the label's logit gathered (its gradient term scattered) once per pixel. The rows of a chunk stay in cache between the
/// passes, so logits come from memory once and the gradient goes back once. Losses are added per pixel in float and
/// per vector in double. Non-finite logits are detected during the first pass (and reported by
/// <see cref="FiniteGuard"/>, the gradient then unspecified), not by a separate single-threaded pass before it.
/// A gradient of <see cref="StreamingStores.ThresholdBytes"/> or more is written once, with non-temporal stores, from
/// e_k kept in pooled scratch (<see cref="StreamGradientPass{TVector}"/>): its lines are then not read from memory
/// before they are written, a third of the bytes the kernel moves ([8, 21, 256, 256] on AVX2, Zen 4: 5.1–5.8 ms against
/// 6.0–6.9 ms for the same path with ordinary stores, four paired runs).
/// <see cref="CrossEntropyLabelKernel"/> is the reference it must match, and handles the chunk tails shorter than a vector.
/// </summary>
/// <remarks>
/// The passes are compiled optimized at their first call (<see cref="MethodImplOptions.AggressiveOptimization"/>): a pass
/// loops over one chunk, fewer iterations than the tiered JIT's on-stack replacement waits for, so until call counting
/// promoted them (seconds into a busy process) they ran unoptimized, each vector operation a call. `segml eval` computes
/// this loss per image: on the 24 fixture images that start-up phase was most of the kernel's time (wall 0.86× with the
/// attribute, 8 paired processes; steady state unchanged, `--quick`).
/// </remarks>
[SkipLocalsInit] // the chunk's stackalloc buffers are written in full before they are read
internal static unsafe class CrossEntropyLabelVectorKernel
{
    /// <summary>Whether this kernel applies: <see cref="Vector{T}"/> is hardware-accelerated.</summary>
    public static bool IsSupported => Vector.IsHardwareAccelerated;

    /// <summary>
    /// Pixels per chunk: 4096 up to 256 bits, where the 1024 of <see cref="ActivationKernels.ChunkPixels"/> ran 1.06–1.22×
    /// slower (three paired runs on AVX2; likely because each of a chunk's 21 channel rows starts the hardware prefetcher
    /// cold, four times as often with the shorter rows), and 1024 at 512 bits, where 4096 ran 0.93–0.96× (two runs).
    /// The chunk's rows of logits and gradient, 2 × 21 × 16 KB, still fit in a 2 MB L2; its stack buffers take 80 KB.
    /// </summary>
    private static int ChunkPixels => Vector512Policy.Use512 ? ActivationKernels.ChunkPixels : 4 * ActivationKernels.ChunkPixels;

    /// <summary>
    /// Chunks per work item when the gradient is streamed: one thread takes them in turn, so the exp pass of a chunk
    /// can prefetch the logits of the next (see <see cref="ExpPass{TVector}"/>).
    /// </summary>
    private const int ChunksPerStreamedItem = 4;

    /// <summary>The lanes of the widest accelerated width, the one <see cref="Chunk{TVector}"/> runs at.</summary>
    private static int Width => Vector512Policy.Use512 ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : Vector128<float>.Count;

    /// <summary>Returns the scaled loss; writes the gradient and each pixel's log p_label (<paramref name="logProbability"/>, <c>[N, H, W]</c>; unspecified where ignored) when asked.</summary>
    public static double Run(ReadOnlySpan<float> input, SegmentationShape shape, ReadOnlySpan<int> labels, int ignore, double[] weights, double smoothing, Span<float> gradient, CrossEntropyLabelKernel.DenominatorRule denominatorRule, Span<float> logProbability = default)
    {
        (double weightSum, double validCount) = CrossEntropyLabelKernel.LabelTotals(labels, ignore, weights);
        double denominator = denominatorRule(shape, weightSum, validCount);
        double scale = denominator > 0 ? 1 / denominator : 0;
        bool stream = !gradient.IsEmpty && StreamingStores.Pays(gradient.Length);
        int itemPixels = stream ? ChunksPerStreamedItem * ChunkPixels : ChunkPixels;
        int items = ActivationKernels.ChunkCount(shape, itemPixels);
        var partial = new double[shape.Batch * items];
        var nonFinite = new bool[partial.Length];
        var coefficients = new Coefficients(weights, smoothing, scale, ignore);
        fixed (float* xp = input)
        fixed (int* lp = labels)
        fixed (float* gp = gradient)
        fixed (float* pp = logProbability)
        {
            var x = new NativeSpan<float>(xp, input.Length);
            var l = new NativeSpan<int>(lp, labels.Length);
            var g = new NativeSpan<float>(gp, gradient.Length);
            var logp = new NativeSpan<float>(pp, logProbability.Length);
            ParallelWork.For(partial.Length, shape.ElementCount, item =>
            {
                (int n, int itemStart, int itemLength) = ActivationKernels.ChunkOf(shape, items, item, itemPixels);
                float[]? exps = stream ? ArrayPool<float>.Shared.Rent(shape.Classes * ChunkPixels) : null;
                double sum = 0;
                bool bad = false;
                for (int start = itemStart; start < itemStart + itemLength; start += ChunkPixels)
                {
                    int length = Math.Min(ChunkPixels, itemStart + itemLength - start);
                    int vectorLength = length - (length % Width);
                    bool prefetch = stream && start + length + ChunkPixels <= itemStart + itemLength;
                    bool chunkBad = false;
                    sum += vectorLength == 0 ? 0
                        : Vector512Policy.Use512 ? Chunk<SimdFloat512>(x.Span, l.Span, g.Span, logp.Span, shape, n, start, vectorLength, coefficients, exps, prefetch, out chunkBad)
                        : Vector256.IsHardwareAccelerated ? Chunk<SimdFloat256>(x.Span, l.Span, g.Span, logp.Span, shape, n, start, vectorLength, coefficients, exps, prefetch, out chunkBad)
                        : Chunk<SimdFloat128>(x.Span, l.Span, g.Span, logp.Span, shape, n, start, vectorLength, coefficients, exps, prefetch, out chunkBad);
                    bad |= chunkBad;
                    if (vectorLength < length)
                    {
                        bad |= !TailIsFinite(x.Span, shape, n, start + vectorLength, length - vectorLength);
                        sum += CrossEntropyLabelKernel.Chunk(x.Span, l.Span, g.Span, shape, n, start + vectorLength, length - vectorLength, ignore, weights, smoothing, scale, logp.Span);
                    }
                }

                if (exps is not null)
                {
                    ArrayPool<float>.Shared.Return(exps);
                }

                nonFinite[item] = bad;
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
    /// only a max, an exp and a multiply. Each pass is its own method: in one method the JIT's inlining budget ran out
    /// before the last vector operations (hundreds of one-line inlinees), which stayed calls and halved the speed.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Chunk<TVector>(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> gradient, Span<float> logProbability, SegmentationShape shape, int n, int start, int length, in Coefficients k, float[]? exps, bool prefetchNext, out bool nonFinite)
        where TVector : struct, ISimdFloat<TVector>
    {
        int s = shape.PixelsPerImage;
        var rows = new ChunkRows(x, gradient, shape.Classes, s, n * shape.Classes * s, start, length);
        ReadOnlySpan<int> label = labels.Slice((n * s) + start, length);
        Span<float> max = stackalloc float[length];
        Span<float> sum = stackalloc float[length];
        Span<float> xy = stackalloc float[length]; // the logit of the label's channel
        Span<float> wy = stackalloc float[length]; // the label's class weight (0 where ignored)
        Span<float> swx = k.Smoothing != 0 ? stackalloc float[length] : default; // Σ_k w_k x_k

        nonFinite = MaxPass<TVector>(rows, k, max, swx);

        GatherLabelTerms(x.Slice(rows.Image + start), s, label, k, xy, wy);

        Span<float> streamed = exps is null ? default : exps.AsSpan(0, shape.Classes * length);
        ExpPass<TVector>(rows, max, sum, streamed, prefetchNext);
        Span<float> logp = logProbability.IsEmpty ? default : logProbability.Slice((n * s) + start, length);
        double total = LossPass<TVector>(label, k, max, sum, xy, wy, swx, logp, !gradient.IsEmpty);
        if (!streamed.IsEmpty)
        {
            StreamGradientPass<TVector>(rows, label, k, max, wy, streamed);
        }
        else if (!gradient.IsEmpty)
        {
            GradientPass<TVector>(rows, label, k, max);

            ScatterLabelTerms(gradient.Slice(rows.Image + start), s, label, k, wy);
        }

        return total;
    }

    /// <summary>
    /// Per pixel, the logit of the label's channel into <paramref name="xy"/> and the label's weight into
    /// <paramref name="wy"/> (0 where ignored; its <paramref name="xy"/> is then channel 0's logit, which wy = 0 cancels).
    /// </summary>
    /// <remarks>
    /// The labels were checked against the class count before any kernel ran (<c>SegmentationTarget.Validate</c>), so
    /// the reads go without bounds checks and the ignore test selects an index instead of branching: the bounds-checked
    /// loops, with their values reloaded from the stack, took an eighth of the kernel's time (a profile, one thread).
    /// </remarks>
    private static void GatherLabelTerms(ReadOnlySpan<float> chunk, int pixelsPerImage, ReadOnlySpan<int> label, in Coefficients k, Span<float> xy, Span<float> wy)
    {
        ref float x0 = ref MemoryMarshal.GetReference(chunk);
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float xy0 = ref MemoryMarshal.GetReference(xy);
        ref float wy0 = ref MemoryMarshal.GetReference(wy);
        ref float weights0 = ref MemoryMarshal.GetArrayDataReference(k.Weights);
        int ignore = k.Ignore;
        int p = 0;
        if (Avx2.IsSupported)
        {
            p = GatherLabelTermsByVector(chunk, pixelsPerImage, label, k, xy, wy);
        }

        for (; p < label.Length; p++)
        {
            int y = Unsafe.Add(ref label0, p);
            int channel = y == ignore ? 0 : y;
            Unsafe.Add(ref xy0, p) = Unsafe.Add(ref x0, (nint)channel * pixelsPerImage + p);
            Unsafe.Add(ref wy0, p) = y == ignore ? 0f : Unsafe.Add(ref weights0, channel);
        }
    }

    /// <summary>
    /// <see cref="GatherLabelTerms"/> eight pixels at a time with AVX2's gather (index y·H·W + p, channel 0 where
    /// ignored); returns the pixels done (a multiple of eight).
    /// </summary>
    /// <remarks>
    /// The scalar loop's loads depend on the label just loaded, about five cycles a pixel on Zen 4 (a profile: 5–7 % of
    /// the kernel); a gather issues the eight loads at once.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int GatherLabelTermsByVector(ReadOnlySpan<float> chunk, int pixelsPerImage, ReadOnlySpan<int> label, in Coefficients k, Span<float> xy, Span<float> wy)
    {
        float* x = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(chunk)); // pinned by Run
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float xy0 = ref MemoryMarshal.GetReference(xy);
        ref float wy0 = ref MemoryMarshal.GetReference(wy);
        Vector256<int> ignore = Vector256.Create(k.Ignore);
        Vector256<int> stride = Vector256.Create(pixelsPerImage);
        Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        int p = 0;
        fixed (float* weights = k.Weights)
        {
            for (; p + Vector256<int>.Count <= label.Length; p += Vector256<int>.Count)
            {
                Vector256<int> y = Vector256.LoadUnsafe(ref label0, (nuint)p);
                Vector256<int> ignored = Vector256.Equals(y, ignore);
                Vector256<int> channel = Vector256.AndNot(y, ignored);
                Vector256<int> index = (channel * stride) + (lanes + Vector256.Create(p));
                Avx2.GatherVector256(x, index, sizeof(float)).StoreUnsafe(ref xy0, (nuint)p);
                Vector256.AndNot(Avx2.GatherVector256(weights, channel, sizeof(float)), ignored.AsSingle()).StoreUnsafe(ref wy0, (nuint)p);
            }
        }

        return p;
    }

    /// <summary>
    /// Per pixel, subtracts scale·(1 − ε)·w_y from the gradient of the label's channel (channel 0 and w_y = 0 where
    /// ignored, which leaves its 0); the labels were checked as for <see cref="GatherLabelTerms"/>.
    /// </summary>
    private static void ScatterLabelTerms(Span<float> gradientChunk, int pixelsPerImage, ReadOnlySpan<int> label, in Coefficients k, ReadOnlySpan<float> wy)
    {
        ref float g0 = ref MemoryMarshal.GetReference(gradientChunk);
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float wy0 = ref MemoryMarshal.GetReference(wy);
        float scaleKeep = k.Scale * (1 - k.Smoothing);
        int ignore = k.Ignore;
        for (int p = 0; p < label.Length; p++)
        {
            int y = Unsafe.Add(ref label0, p);
            Unsafe.Add(ref g0, (nint)(y == ignore ? 0 : y) * pixelsPerImage + p) -= scaleKeep * Unsafe.Add(ref wy0, p);
        }
    }

    /// <summary>Pass 1: the channel maximum into <paramref name="max"/> and Σ w_k x_k into <paramref name="swx"/> (when smoothing); returns whether a logit is not finite.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool MaxPass<TVector>(in ChunkRows rows, in Coefficients k, Span<float> max, Span<float> swx)
        where TVector : struct, ISimdFloat<TVector>
    {
        int width = TVector.Count;
        ref float max0 = ref MemoryMarshal.GetReference(max);
        ref float swx0 = ref MemoryMarshal.GetReference(swx);
        bool smoothing = !swx.IsEmpty;

        // x − x is NaN exactly for NaN and ±∞ (and +0 otherwise): OR-ed into one vector, which stays all zero bits
        // while the logits are finite. An OR (one cycle), not an add: a float add's four-cycle latency, carried
        // from vector to vector, was the bound of this pass.
        TVector nonFinite = TVector.Zero;
        rows.Logits(0).CopyTo(max);

        // Four channel rows at a time: four streams from memory in flight instead of one, and one load and store of
        // the running maximum per four rows.
        int ch = 0;
        for (; ch + 4 <= rows.Classes; ch += 4)
        {
            ref float row0 = ref MemoryMarshal.GetReference(rows.Logits(ch));
            ref float row1 = ref MemoryMarshal.GetReference(rows.Logits(ch + 1));
            ref float row2 = ref MemoryMarshal.GetReference(rows.Logits(ch + 2));
            ref float row3 = ref MemoryMarshal.GetReference(rows.Logits(ch + 3));
            for (int i = 0; i < rows.Length; i += width)
            {
                TVector a = TVector.Load(ref row0, (nuint)i), b = TVector.Load(ref row1, (nuint)i);
                TVector c = TVector.Load(ref row2, (nuint)i), d = TVector.Load(ref row3, (nuint)i);
                nonFinite |= ((a - a) | (b - b)) | ((c - c) | (d - d));
                TVector highest = TVector.MaxNative(TVector.MaxNative(a, b), TVector.MaxNative(c, d));
                TVector.Store(TVector.MaxNative(TVector.Load(ref max0, (nuint)i), highest), ref max0, (nuint)i);
            }
        }

        for (; ch < rows.Classes; ch++)
        {
            ref float row = ref MemoryMarshal.GetReference(rows.Logits(ch));
            for (int i = 0; i < rows.Length; i += width)
            {
                TVector v = TVector.Load(ref row, (nuint)i);
                nonFinite |= v - v;
                TVector.Store(TVector.MaxNative(TVector.Load(ref max0, (nuint)i), v), ref max0, (nuint)i);
            }
        }

        for (ch = 0; smoothing && ch < rows.Classes; ch++)
        {
            ref float row = ref MemoryMarshal.GetReference(rows.Logits(ch));
            TVector w = TVector.Create(k.Weights[ch]);
            for (int i = 0; i < rows.Length; i += width)
            {
                TVector wx = w * TVector.Load(ref row, (nuint)i);
                TVector.Store(ch == 0 ? wx : wx + TVector.Load(ref swx0, (nuint)i), ref swx0, (nuint)i);
            }
        }

        return TVector.SumAsDouble(nonFinite) != 0; // NaN lanes make the sum NaN, and NaN != 0
    }

    /// <summary>
    /// The smallest x_k − max whose exp the passes use: e^−60 ≈ 8.7e−27 instead of anything smaller (or 0).
    /// </summary>
    /// <remarks>
    /// Why: the gradient pass multiplies e_k by scale·w_y/Σe (at least 1.4e−12 for up to 3e10 pixels), and a product
    /// below float's normal range runs as a microcode assist on x86; for the softmax those terms are nothing: Σe ≥ 1
    /// (the maximum's term is 1), so the loss moves by less than C·8.7e−27 relative and a gradient element by at most
    /// 8.7e−27 times the largest one. The floor also replaces the zeroing below exp's lower bound (two vector
    /// operations fewer per element).
    /// </remarks>
    private const float ExpFloor = -60f;

    /// <summary>
    /// Pass 2: e_k = exp(max(x_k − max, <see cref="ExpFloor"/>)), summed into <paramref name="sum"/>; e_k waits to
    /// become its softmax term in <paramref name="streamed"/> (channel after channel, when the gradient is streamed)
    /// or else in the gradient row (when there is one).
    /// </summary>
    /// <remarks>
    /// With <paramref name="prefetchNext"/> (x86) each row also prefetches the same channel's row of the next chunk
    /// into L2: this pass is bound by its arithmetic, the max pass of the next chunk by memory, and the prefetch
    /// overlaps the two ([8, 21, 256, 256], AVX2, Zen 4: 5.04–5.14 ms against 5.32–5.60 ms without, seven paired
    /// runs; at 512 bits no clear change; prefetching into L1 ran 1.03× slower than none).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ExpPass<TVector>(in ChunkRows rows, Span<float> max, Span<float> sum, Span<float> streamed, bool prefetchNext)
        where TVector : struct, ISimdFloat<TVector>
    {
        int width = TVector.Count;
        TVector floor = TVector.Create(ExpFloor);
        ref float max0 = ref MemoryMarshal.GetReference(max);
        ref float sum0 = ref MemoryMarshal.GetReference(sum);
        for (int ch = 0; ch < rows.Classes; ch++)
        {
            ref float row = ref MemoryMarshal.GetReference(rows.Logits(ch));
            if (rows.HasGradient)
            {
                ref float e = ref MemoryMarshal.GetReference(streamed.IsEmpty ? rows.Gradient(ch) : streamed.Slice(ch * rows.Length, rows.Length));
                float* next = (float*)Unsafe.AsPointer(ref row) + rows.Length; // this channel's row of the next chunk (pinned by Run)
                for (int i = 0; i < rows.Length; i += width)
                {
                    if (prefetchNext && Sse.IsSupported)
                    {
                        Sse.Prefetch1(next + i);
                    }

                    TVector ev = VectorMath.ExpNonPositiveAtLeast(TVector.Load(ref row, (nuint)i) - TVector.Load(ref max0, (nuint)i), floor);
                    TVector.Store(ch == 0 ? ev : TVector.Load(ref sum0, (nuint)i) + ev, ref sum0, (nuint)i);
                    TVector.Store(ev, ref e, (nuint)i);
                }
            }
            else
            {
                for (int i = 0; i < rows.Length; i += width)
                {
                    TVector ev = VectorMath.ExpNonPositiveAtLeast(TVector.Load(ref row, (nuint)i) - TVector.Load(ref max0, (nuint)i), floor);
                    TVector.Store(ch == 0 ? ev : TVector.Load(ref sum0, (nuint)i) + ev, ref sum0, (nuint)i);
                }
            }
        }
    }

    /// <summary>
    /// Per pixel: loss = −((1 − ε)·w_y·(x_y − lse) + ε/C·(Σ w_k x_k − Σw·lse)), lse = max + log Σe, 0 where ignored;
    /// returns their sum and, when <paramref name="wantGradient"/>, overwrites <paramref name="max"/> with the factor of e_k;
    /// x_y − lse into <paramref name="logProbability"/> when it is not empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double LossPass<TVector>(ReadOnlySpan<int> label, in Coefficients k, Span<float> max, Span<float> sum, Span<float> xy, Span<float> wy, Span<float> swx, Span<float> logProbability, bool wantGradient)
        where TVector : struct, ISimdFloat<TVector>
    {
        int width = TVector.Count;
        bool smoothing = !swx.IsEmpty;
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float max0 = ref MemoryMarshal.GetReference(max);
        ref float sum0 = ref MemoryMarshal.GetReference(sum);
        ref float xy0 = ref MemoryMarshal.GetReference(xy);
        ref float wy0 = ref MemoryMarshal.GetReference(wy);
        ref float swx0 = ref MemoryMarshal.GetReference(swx);
        ref float logp0 = ref MemoryMarshal.GetReference(logProbability);
        bool storeLogProbability = !logProbability.IsEmpty;
        TVector ignore = TVector.CreateBits(k.Ignore);
        TVector keep = TVector.Create(1 - k.Smoothing);
        TVector spread = TVector.Create(k.SmoothingPerClass);
        TVector spreadTotal = TVector.Create(k.SmoothingPerClass * k.WeightTotal);
        TVector weightTotal = TVector.Create(k.WeightTotal);
        TVector scale = TVector.Create(k.Scale);
        double totalSum = 0;
        for (int i = 0; i < label.Length; i += width)
        {
            TVector valid = ~TVector.BitsEqual(TVector.LoadBits(ref label0, (nuint)i), ignore);
            TVector maxI = TVector.Load(ref max0, (nuint)i);
            TVector sumI = TVector.Load(ref sum0, (nuint)i);
            TVector wyI = TVector.Load(ref wy0, (nuint)i);
            TVector logSum = VectorMath.Log(sumI);
            TVector logp = TVector.Load(ref xy0, (nuint)i) - maxI - logSum;
            if (storeLogProbability)
            {
                TVector.Store(logp, ref logp0, (nuint)i);
            }

            TVector loss = wyI * logp;
            if (smoothing)
            {
                TVector lse = maxI + logSum;
                loss = (keep * loss) + (spread * (TVector.Load(ref swx0, (nuint)i) - (weightTotal * lse)));
            }

            // Float lanes of one pixel vector each, added to double per vector: at most 21·(chunk ÷ width) terms.
            totalSum += TVector.SumAsDouble(-loss & valid);
            if (wantGradient)
            {
                // ∂/∂x_k = scale·(A·e_k/Σe − ε/C·w_k) − scale·(1 − ε)·w_y·[k = y], A = (1 − ε)w_y + ε/C·Σw.
                TVector a = smoothing ? TVector.MultiplyAdd(keep, wyI, spreadTotal) : wyI;
                TVector.Store((scale * a / sumI) & valid, ref max0, (nuint)i);  // the factor of e_k
            }
        }

        return totalSum;
    }

    /// <summary>Pass 3: the gradient rows, from e_k in place times <paramref name="factor"/> (with the smoothing offset, 0 where ignored).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientPass<TVector>(in ChunkRows rows, ReadOnlySpan<int> label, in Coefficients k, Span<float> factor)
        where TVector : struct, ISimdFloat<TVector>
    {
        int width = TVector.Count;
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float factor0 = ref MemoryMarshal.GetReference(factor);
        TVector ignore = TVector.CreateBits(k.Ignore);
        for (int ch = 0; ch < rows.Classes; ch++)
        {
            ref float g = ref MemoryMarshal.GetReference(rows.Gradient(ch));
            if (k.Smoothing != 0)
            {
                TVector offset = TVector.Create(k.Scale * k.SmoothingPerClass * k.Weights[ch]);
                for (int i = 0; i < rows.Length; i += width)
                {
                    TVector valid = ~TVector.BitsEqual(TVector.LoadBits(ref label0, (nuint)i), ignore);
                    TVector.Store(((TVector.Load(ref g, (nuint)i) * TVector.Load(ref factor0, (nuint)i)) - offset) & valid, ref g, (nuint)i);
                }
            }
            else
            {
                for (int i = 0; i < rows.Length; i += width)
                {
                    TVector.Store(TVector.Load(ref g, (nuint)i) * TVector.Load(ref factor0, (nuint)i), ref g, (nuint)i);
                }
            }
        }
    }

    /// <summary>
    /// Pass 3 when the gradient is streamed: each gradient row from e_k in <paramref name="streamed"/> times
    /// <paramref name="factor"/> (with the smoothing offset, 0 where ignored), minus scale·(1 − ε)·w_y in the label's
    /// channel, written once with non-temporal stores (<see cref="StreamingStores"/>). The label term is a compare
    /// per vector here instead of <see cref="ScatterLabelTerms"/>'s scalar scatter, which would read half the rows'
    /// lines back from memory after they were streamed out. The same float operations in the same order as
    /// <see cref="GradientPass{TVector}"/> then <see cref="ScatterLabelTerms"/>, so both paths give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void StreamGradientPass<TVector>(in ChunkRows rows, ReadOnlySpan<int> label, in Coefficients k, Span<float> factor, Span<float> wy, ReadOnlySpan<float> streamed)
        where TVector : struct, ISimdFloat<TVector>
    {
        int width = TVector.Count;
        ref int label0 = ref MemoryMarshal.GetReference(label);
        ref float factor0 = ref MemoryMarshal.GetReference(factor);
        ref float wy0 = ref MemoryMarshal.GetReference(wy);
        TVector scaleKeep = TVector.Create(k.Scale * (1 - k.Smoothing));
        for (int i = 0; i < rows.Length; i += width)
        {
            TVector.Store(scaleKeep * TVector.Load(ref wy0, (nuint)i), ref wy0, (nuint)i); // the label's term, once per pixel
        }

        TVector ignore = TVector.CreateBits(k.Ignore);
        bool smoothing = k.Smoothing != 0;
        for (int ch = 0; ch < rows.Classes; ch++)
        {
            ref float e = ref MemoryMarshal.GetReference(streamed.Slice(ch * rows.Length, rows.Length));
            TVector channel = TVector.CreateBits(ch);
            TVector offset = TVector.Create(k.Scale * k.SmoothingPerClass * k.Weights[ch]);
            float* g = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(rows.Gradient(ch))); // pinned by Run

            // The row's first aligned vector starts `head` floats in; the vectors before it and after the last
            // aligned one are stored normally (overlapping floats are written twice, with the same values).
            int head = StreamingStores.FloatsToAlignment(g, width);
            if (head != 0)
            {
                TVector.Store(StreamedValue(ref label0, ref e, ref factor0, ref wy0, 0, channel, ignore, offset, smoothing), ref *g, 0);
                int last = rows.Length - width;
                TVector.Store(StreamedValue(ref label0, ref e, ref factor0, ref wy0, last, channel, ignore, offset, smoothing), ref *g, (nuint)last);
            }

            for (int i = head; i + width <= rows.Length; i += width)
            {
                TVector.StoreAlignedNonTemporal(StreamedValue(ref label0, ref e, ref factor0, ref wy0, i, channel, ignore, offset, smoothing), g + i);
            }
        }

        StreamingStores.Fence();
    }

    /// <summary>One vector of <see cref="StreamGradientPass{TVector}"/>'s gradient row, at pixel <paramref name="i"/> of the chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector StreamedValue<TVector>(ref int label0, ref float e, ref float factor0, ref float labelTerm0, int i, TVector channel, TVector ignore, TVector offset, bool smoothing)
        where TVector : struct, ISimdFloat<TVector>
    {
        TVector bits = TVector.LoadBits(ref label0, (nuint)i);
        TVector value = TVector.Load(ref e, (nuint)i) * TVector.Load(ref factor0, (nuint)i);
        if (smoothing)
        {
            value = (value - offset) & ~TVector.BitsEqual(bits, ignore);
        }

        return value - (TVector.BitsEqual(bits, channel) & TVector.Load(ref labelTerm0, (nuint)i));
    }

    /// <summary>The channel rows of one chunk: <see cref="Length"/> pixels from <see cref="Start"/> of the image at <see cref="Image"/>.</summary>
    private readonly ref struct ChunkRows(ReadOnlySpan<float> logits, Span<float> gradient, int classes, int pixelsPerImage, int image, int start, int length)
    {
        private readonly ReadOnlySpan<float> _logits = logits;
        private readonly Span<float> _gradient = gradient;

        public int Classes { get; } = classes;

        public int PixelsPerImage { get; } = pixelsPerImage;

        /// <summary>The offset of the image's first channel row.</summary>
        public int Image { get; } = image;

        public int Start { get; } = start;

        public int Length { get; } = length;

        public bool HasGradient => !_gradient.IsEmpty;

        public ReadOnlySpan<float> Logits(int channel) => _logits.Slice(Image + (channel * PixelsPerImage) + Start, Length);

        public Span<float> Gradient(int channel) => _gradient.Slice(Image + (channel * PixelsPerImage) + Start, Length);
    }

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
