using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;
using static Microsoft.ML.Segmentation.Kernels.RegionVectorMath;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// <see cref="AsymmetricUnifiedFocalLoss"/> in two passes over blocks of pixels, in parallel: the first adds the focal
/// sum, the valid count and per image and class Σt·p, Σt and Σp (the Tversky index's tp, fn = Σt − tp, fp = Σp − tp);
/// the second recomputes the block's terms and writes the gradient from the per-image coefficients.
/// </summary>
/// <remarks>
/// <para>Per pixel, with p clamped to [ε, 1 − ε] (c₀, c₁), m = (1 − c₀)^γ and ℓ_k = −log c_k: the focal term is
/// (1 − δ)·m·t₀ℓ₀ + δ·t₁ℓ₁; its derivative in c₀ is (1 − δ)(−γ·m/(1 − c₀)·t₀ℓ₀ − m·t₀/c₀), in c₁ −δ·t₁/c₁. The Tversky
/// part's derivative in c_k is a_k·t_k + b_k per image and class. Both stop where the clamp is active; the softmax of two
/// channels then gives ∂/∂x₀ = p₀p₁(g₀ − g₁) = −∂/∂x₁, and p₁ = σ(x₁ − x₀), p₀ = σ(x₀ − x₁).</para>
/// <para>The transcendentals are <see cref="TensorPrimitives"/> calls over a block of <see cref="BlockPixels"/> pixels in
/// contiguous scratch; the partial sums are per work item (double), added in item order, so the result does not
/// depend on the thread count.</para>
/// </remarks>
internal static class UnifiedFocalKernel
{
    private const int BlockPixels = RegionFusedKernel.BlockPixels; // work items and blocks as the region kernels'
    private const int Sums = 8; // focal, count, then Σt·c, Σt, Σc for class 0 and class 1
    private const int Rows = 14;

    /// <summary>The loss's settings.</summary>
    public readonly record struct Settings(bool Softmax, double Weight, double Gamma, double Delta, double Epsilon);

    /// <summary>
    /// The loss, and its gradient into <paramref name="gradient"/> when that is not empty; <see langword="null"/> when
    /// an input value is not finite (nothing usable written). The caller has validated the shape and the target.
    /// </summary>
    public static unsafe double? Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Settings settings, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int perImage = RegionFusedKernel.ItemsPerImage(shape);
        int items = shape.Batch * perImage;
        var partials = new double[items * Sums];
        var finite = new bool[items];
        fixed (T* xp = input)
        fixed (int* lp = target.Labels)
        fixed (T* dp = target.Dense)
        fixed (T* gp = gradient)
        {
            var x = new NativeSpan<T>(xp, input.Length);
            var g = new NativeSpan<T>(gp, gradient.Length);
            var pinned = new PinnedTarget<T>(new NativeSpan<int>(lp, target.Labels.Length), new NativeSpan<T>(dp, target.Dense.Length), target.IsLabelMap, target.IgnoreIndex, shape);
            ParallelWork.For(items, input.Length, item =>
            {
                (int n, int start, int end) = RegionFusedKernel.ItemRange(shape, perImage, item);
                finite[item] = ForwardItem(x.Span, shape, pinned, settings, n, start, end, partials.AsSpan(item * Sums, Sums));
            });
            if (Array.IndexOf(finite, false) >= 0)
            {
                return null;
            }

            // Per image: the valid count and the Tversky coefficients; the focal sum over the batch.
            var image = new double[shape.Batch * 6];
            double focal = 0, count = 0;
            for (int item = 0; item < items; item++)
            {
                focal += partials[item * Sums];
                count += partials[(item * Sums) + 1];
                for (int j = 0; j < 6; j++)
                {
                    image[((item / perImage) * 6) + j] += partials[(item * Sums) + 2 + j];
                }
            }

            double value = 0;
            var coefficients = new double[shape.Batch * 4]; // a₀, b₀, a₁, b₁ per image
            if (settings.Weight > 0 && count > 0)
            {
                value += settings.Weight * focal / count;
            }

            if (settings.Weight < 1)
            {
                double tversky = 0;
                for (int n = 0; n < shape.Batch; n++)
                {
                    for (int k = 0; k < 2; k++)
                    {
                        double tp = image[(n * 6) + (3 * k)], volume = image[(n * 6) + (3 * k) + 1], predicted = image[(n * 6) + (3 * k) + 2];
                        double numerator = tp + settings.Epsilon;
                        double denominator = tp + (settings.Delta * (volume - tp)) + ((1 - settings.Delta) * (predicted - tp)) + settings.Epsilon;
                        double miss = 1 - (numerator / denominator);
                        double term = k == 0 ? miss : (miss > 0 ? Math.Pow(miss, 1 - settings.Gamma) : 0);
                        double byIndex = k == 0 ? -1 : (miss > 0 ? -(1 - settings.Gamma) * Math.Pow(miss, -settings.Gamma) : 0);
                        tversky += term;

                        // ∂index/∂c = (t·D − N(1 − δ))/D²: a·t + b.
                        double scale = (1 - settings.Weight) * byIndex / (2 * shape.Batch);
                        coefficients[(n * 4) + (2 * k)] = scale / denominator;
                        coefficients[(n * 4) + (2 * k) + 1] = -scale * numerator * (1 - settings.Delta) / (denominator * denominator);
                    }
                }

                value += (1 - settings.Weight) * tversky / (2 * shape.Batch);
            }

            if (!gradient.IsEmpty)
            {
                double focalScale = settings.Weight > 0 && count > 0 ? settings.Weight / count : 0;
                ParallelWork.For(items, input.Length, item =>
                {
                    (int n, int start, int end) = RegionFusedKernel.ItemRange(shape, perImage, item);
                    GradientItem(x.Span, shape, pinned, settings, n, start, end, focalScale, coefficients.AsSpan(n * 4, 4), g.Span);
                });
            }

            return value;
        }
    }

    private static bool ForwardItem<T>(ReadOnlySpan<T> x, SegmentationShape shape, PinnedTarget<T> target, Settings settings, int n, int start, int end, Span<double> part)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using (var block = new Block<T>(new BlockScratch<T>(Rows)))
        {
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                if (!Terms(x, shape, target, settings, n, b, len, block))
                {
                    return false;
                }

                // Focal term per pixel: (1 − δ)·m·t₀ℓ₀ + δ·t₁ℓ₁ (t is 0 where the pixel is ignored).
                Span<T> focal = block.Row(Block<T>.Scratch, len);
                TensorPrimitives.Multiply(block.Row(Block<T>.Modulation, len), block.Row(Block<T>.Target0, len), focal);
                double background = double.CreateTruncating(TensorPrimitives.Dot<T>(focal, block.Row(Block<T>.Log0, len)));
                double foreground = double.CreateTruncating(TensorPrimitives.Dot<T>(block.Row(Block<T>.Target1, len), block.Row(Block<T>.Log1, len)));
                part[0] += ((1 - settings.Delta) * background) + (settings.Delta * foreground);
                part[1] += double.CreateTruncating(TensorPrimitives.Sum<T>(block.Row(Block<T>.Valid, len)));
                for (int k = 0; k < 2; k++)
                {
                    ReadOnlySpan<T> t = block.Row(k == 0 ? Block<T>.Target0 : Block<T>.Target1, len);
                    ReadOnlySpan<T> c = block.Row(k == 0 ? Block<T>.Clamped0 : Block<T>.Clamped1, len);
                    part[2 + (3 * k)] += double.CreateTruncating(TensorPrimitives.Dot(t, c));
                    part[3 + (3 * k)] += double.CreateTruncating(TensorPrimitives.Sum(t));
                    part[4 + (3 * k)] += double.CreateTruncating(TensorPrimitives.Dot<T>(block.Row(Block<T>.Valid, len), c));
                }
            }

            return true;
        }
    }

    private static void GradientItem<T>(ReadOnlySpan<T> x, SegmentationShape shape, PinnedTarget<T> target, Settings settings, int n, int start, int end,
        double focalScale, ReadOnlySpan<double> coefficients, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        using (var block = new Block<T>(new BlockScratch<T>(Rows)))
        {
            var constants = new GradientConstants<T>(settings, focalScale, coefficients);
            for (int b = start; b < end; b += BlockPixels)
            {
                int len = Math.Min(BlockPixels, end - b);
                _ = Terms(x, shape, target, settings, n, b, len, block); // finite: the forward pass checked
                Span<T> g0 = block.Row(Block<T>.Scratch, len);
                Span<T> g1 = block.Row(Block<T>.Scratch2, len);
                ClassGradients(block, len, constants, g0, g1);
                Span<T> first = gradient.Slice(n * c * s + b, len);
                if (settings.Softmax)
                {
                    // ∂/∂x₀ = p₀p₁(g₀ − g₁), ∂/∂x₁ = −∂/∂x₀.
                    TensorPrimitives.Subtract(g0, g1, g0);
                    TensorPrimitives.Multiply(g0, block.Row(Block<T>.Probability0, len), g0);
                    TensorPrimitives.Multiply(g0, block.Row(Block<T>.Probability1, len), first);
                    TensorPrimitives.Negate(first, gradient.Slice(((n * c) + 1) * s + b, len));
                }
                else if (c == 1)
                {
                    TensorPrimitives.Subtract(g1, g0, first); // p₁ = x, p₀ = 1 − x
                }
                else
                {
                    g0.CopyTo(first);
                    g1.CopyTo(gradient.Slice(((n * c) + 1) * s + b, len));
                }
            }
        }
    }

    /// <summary>
    /// The block's rows: p₀, p₁, the clamped c₀, c₁ and their inside-the-clamp masks, t₀, t₁ (0 where ignored), the
    /// validity, ℓ₀, ℓ₁ and m. False if an input value is not finite.
    /// </summary>
    private static bool Terms<T>(ReadOnlySpan<T> x, SegmentationShape shape, PinnedTarget<T> target, Settings settings, int n, int b, int len, Block<T> block)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = shape.Classes;
        int s = shape.PixelsPerImage;
        Span<T> p0 = block.Row(Block<T>.Probability0, len), p1 = block.Row(Block<T>.Probability1, len);
        ReadOnlySpan<T> x0 = x.Slice(n * c * s + b, len);
        ReadOnlySpan<T> x1 = c == 2 ? x.Slice(((n * c) + 1) * s + b, len) : default;
        if (!TensorPrimitives.IsFiniteAll(x0) || (c == 2 && !TensorPrimitives.IsFiniteAll(x1)))
        {
            return false;
        }

        if (settings.Softmax && typeof(T) == typeof(float))
        {
            TwoClassSoftmax(MemoryMarshal.Cast<T, float>(x0), MemoryMarshal.Cast<T, float>(x1), MemoryMarshal.Cast<T, float>(p0), MemoryMarshal.Cast<T, float>(p1));
        }
        else if (settings.Softmax)
        {
            TensorPrimitives.Subtract(x1, x0, p1);
            TensorPrimitives.Negate(p1, p0);
            TensorPrimitives.Sigmoid(p1, p1);
            TensorPrimitives.Sigmoid(p0, p0);
        }
        else if (c == 1)
        {
            x0.CopyTo(p1);
            TensorPrimitives.Subtract(T.One, p1, p0);
        }
        else
        {
            x0.CopyTo(p0);
            x1.CopyTo(p1);
        }

        // Targets: one channel is label 1 (t₀ = 1 − t₁); a pixel ignored in any channel is left out of both.
        Span<T> t0 = block.Row(Block<T>.Target0, len), t1 = block.Row(Block<T>.Target1, len), valid = block.Row(Block<T>.Valid, len);
        Span<T> other = block.Row(Block<T>.Scratch, len);
        if (c == 1)
        {
            if (!target.FillChunk(n, 0, b, t1, valid))
            {
                valid.Fill(T.One);
            }

            TensorPrimitives.Subtract(valid, t1, t0); // (1 − t₁) where valid, 0 where ignored (t₁ is 0 there)
        }
        else
        {
            bool masked0 = target.FillChunk(n, 0, b, t0, valid);
            if (!masked0)
            {
                valid.Fill(T.One);
            }

            if (target.FillChunk(n, 1, b, t1, other))
            {
                TensorPrimitives.Multiply(valid, other, valid);
                masked0 = true;
            }

            if (masked0)
            {
                TensorPrimitives.Multiply(t0, valid, t0);
                TensorPrimitives.Multiply(t1, valid, t1);
            }
        }

        T low = T.CreateTruncating(settings.Epsilon), high = T.CreateTruncating(1 - settings.Epsilon);
        Clamp(p0, low, high, block.Row(Block<T>.Clamped0, len), block.Row(Block<T>.Inside0, len));
        Clamp(p1, low, high, block.Row(Block<T>.Clamped1, len), block.Row(Block<T>.Inside1, len));
        Span<T> l0 = block.Row(Block<T>.Log0, len), l1 = block.Row(Block<T>.Log1, len), m = block.Row(Block<T>.Modulation, len);
        ReadOnlySpan<T> c0 = block.Row(Block<T>.Clamped0, len), c1 = block.Row(Block<T>.Clamped1, len);

        // m = (1 − c₀)^γ. After a softmax of two channels 1 − c₀ is c₁ (p₀ + p₁ = 1, and the clamps are symmetric), so m
        // = e^(−γℓ₁) takes no third log; probabilities given as two channels need not sum to 1.
        bool fromForeground = settings.Softmax;
        if (typeof(T) == typeof(float) && settings.Epsilon >= 1e-30)
        {
            // ℓ and m through SegML's float log and exp (the arguments are normal, ≥ ε): TensorPrimitives' took 9 % of a
            // run beside the kernel's 25 % (perf, AVX2).
            FloatLogs(MemoryMarshal.Cast<T, float>(c0), MemoryMarshal.Cast<T, float>(c1), MemoryMarshal.Cast<T, float>(l0), MemoryMarshal.Cast<T, float>(l1),
                MemoryMarshal.Cast<T, float>(m), (float)settings.Gamma, fromForeground);
            return true;
        }

        TensorPrimitives.Log(c0, l0);
        TensorPrimitives.Negate(l0, l0);
        TensorPrimitives.Log(c1, l1);
        TensorPrimitives.Negate(l1, l1);
        if (settings.Gamma == 0)
        {
            m.Fill(T.One);
        }
        else if (fromForeground)
        {
            TensorPrimitives.Multiply(l1, T.CreateTruncating(-settings.Gamma), m);
            TensorPrimitives.Exp(m, m);
        }
        else
        {
            TensorPrimitives.Subtract(T.One, c0, m); // ≥ ε
            TensorPrimitives.Log(m, m);
            TensorPrimitives.Multiply(m, T.CreateTruncating(settings.Gamma), m);
            TensorPrimitives.Exp(m, m);
        }

        return true;
    }

    /// <summary>p₁ = σ(x₁ − x₀) and p₀ = σ(x₀ − x₁) from one exp of −|x₁ − x₀| per pixel.</summary>
    private static void TwoClassSoftmax(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, Span<float> p0, Span<float> p1)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= p0.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> d = Load(x1, i) - Load(x0, i);
                Vector<float> e = VectorMath.ExpNonPositive(-Vector.Abs(d));
                Vector<float> large = Vector<float>.One / (Vector<float>.One + e);
                Vector<float> small = e * large;
                Vector<int> negative = Vector.LessThan(d, Vector<float>.Zero);
                Store(Vector.ConditionalSelect(negative, small, large), p1, i);
                Store(Vector.ConditionalSelect(negative, large, small), p0, i);
            }
        }

        for (; i < p0.Length; i++)
        {
            float d = x1[i] - x0[i];
            float e = MathF.Exp(-MathF.Abs(d));
            float large = 1 / (1 + e), small = e * large;
            p1[i] = d < 0 ? small : large;
            p0[i] = d < 0 ? large : small;
        }
    }

    /// <summary>ℓ₀ = −log c₀, ℓ₁ = −log c₁ and m = (1 − c₀)^γ (or e^(−γℓ₁), <paramref name="fromForeground"/>) in float.</summary>
    private static void FloatLogs(ReadOnlySpan<float> c0, ReadOnlySpan<float> c1, Span<float> l0, Span<float> l1, Span<float> m, float gamma, bool fromForeground)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var g = new Vector<float>(gamma);
            for (; i <= c0.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> a = Load(c0, i);
                Vector<float> log0 = -VectorMath.Log(a);
                Vector<float> log1 = -VectorMath.Log(Load(c1, i));
                Store(log0, l0, i);
                Store(log1, l1, i);
                Vector<float> power = gamma == 0 ? Vector<float>.One
                    : fromForeground ? VectorMath.Exp(-g * log1)
                    : VectorMath.Exp(g * VectorMath.Log(Vector<float>.One - a));
                Store(power, m, i);
            }
        }

        for (; i < c0.Length; i++)
        {
            l0[i] = -MathF.Log(c0[i]);
            l1[i] = -MathF.Log(c1[i]);
            m[i] = gamma == 0 ? 1 : fromForeground ? MathF.Exp(-gamma * l1[i]) : MathF.Pow(1 - c0[i], gamma);
        }
    }

    /// <summary><c>c = clamp(p, low, high)</c> and <c>inside = 1</c> where <c>low ≤ p ≤ high</c> (torch.clamp passes the gradient there), else 0.</summary>
    private static void Clamp<T>(ReadOnlySpan<T> p, T low, T high, Span<T> clamped, Span<T> inside)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lo = new Vector<T>(low);
            var hi = new Vector<T>(high);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> value = Load(p, i);
                Store(Vector.Min(Vector.Max(value, lo), hi), clamped, i);
                Store(Vector<T>.One & Vector.GreaterThanOrEqual(value, lo) & Vector.LessThanOrEqual(value, hi), inside, i);
            }
        }

        for (; i < p.Length; i++)
        {
            T value = p[i];
            clamped[i] = T.Min(T.Max(value, low), high);
            inside[i] = value >= low && value <= high ? T.One : T.Zero;
        }
    }

    /// <summary>∂loss/∂p₀ and ∂loss/∂p₁ of the block's pixels (0 where the clamp is active or the pixel is ignored).</summary>
    private static void ClassGradients<T>(Block<T> block, int len, GradientConstants<T> k, Span<T> g0, Span<T> g1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> c0 = block.Row(Block<T>.Clamped0, len), c1 = block.Row(Block<T>.Clamped1, len);
        ReadOnlySpan<T> in0 = block.Row(Block<T>.Inside0, len), in1 = block.Row(Block<T>.Inside1, len);
        ReadOnlySpan<T> t0 = block.Row(Block<T>.Target0, len), t1 = block.Row(Block<T>.Target1, len), valid = block.Row(Block<T>.Valid, len);
        ReadOnlySpan<T> l0 = block.Row(Block<T>.Log0, len), m = block.Row(Block<T>.Modulation, len);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<T>.One;
            var gamma = new Vector<T>(k.Gamma);
            var background = new Vector<T>(k.Background);
            var foreground = new Vector<T>(k.Foreground);
            var a0 = new Vector<T>(k.A0);
            var b0 = new Vector<T>(k.B0);
            var a1 = new Vector<T>(k.A1);
            var b1 = new Vector<T>(k.B1);
            for (; i <= len - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> cc0 = Load(c0, i), tt0 = Load(t0, i), mm = Load(m, i);
                Vector<T> byModulation = gamma * mm / (one - cc0) * tt0 * Load(l0, i);
                Vector<T> d0 = (background * (-byModulation - (mm * tt0 / cc0))) + (a0 * tt0) + b0;
                Vector<T> tt1 = Load(t1, i);
                Vector<T> d1 = (foreground * tt1 / Load(c1, i)) + (a1 * tt1) + b1;
                Vector<T> v = Load(valid, i);
                Store(d0 * Load(in0, i) * v, g0, i);
                Store(d1 * Load(in1, i) * v, g1, i);
            }
        }

        for (; i < len; i++)
        {
            T byModulation = k.Gamma * m[i] / (T.One - c0[i]) * t0[i] * l0[i];
            T d0 = (k.Background * (-byModulation - (m[i] * t0[i] / c0[i]))) + (k.A0 * t0[i]) + k.B0;
            T d1 = (k.Foreground * t1[i] / c1[i]) + (k.A1 * t1[i]) + k.B1;
            g0[i] = d0 * in0[i] * valid[i];
            g1[i] = d1 * in1[i] * valid[i];
        }
    }

    /// <summary>The gradient's constants in the element type: the focal parts' scales and the Tversky coefficients.</summary>
    private readonly struct GradientConstants<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public GradientConstants(Settings settings, double focalScale, ReadOnlySpan<double> coefficients)
        {
            Gamma = T.CreateTruncating(settings.Gamma);
            Background = T.CreateTruncating(focalScale * (1 - settings.Delta));
            Foreground = T.CreateTruncating(-focalScale * settings.Delta);
            A0 = T.CreateTruncating(coefficients[0]);
            B0 = T.CreateTruncating(coefficients[1]);
            A1 = T.CreateTruncating(coefficients[2]);
            B1 = T.CreateTruncating(coefficients[3]);
        }

        public T Gamma { get; }

        public T Background { get; }

        public T Foreground { get; }

        public T A0 { get; }

        public T B0 { get; }

        public T A1 { get; }

        public T B1 { get; }
    }

    /// <summary>The named scratch rows of one work item's blocks (<see cref="BlockPixels"/> each), given back on dispose.</summary>
    private readonly struct Block<T> : IDisposable
        where T : unmanaged
    {
        public const int Probability0 = 0, Probability1 = 1, Clamped0 = 2, Clamped1 = 3, Inside0 = 4, Inside1 = 5, Target0 = 6, Target1 = 7,
            Valid = 8, Log0 = 9, Log1 = 10, Modulation = 11, Scratch = 12, Scratch2 = 13;

        private readonly BlockScratch<T> _rows;

        public Block(BlockScratch<T> rows) => _rows = rows;

        public Span<T> Row(int row, int length) => _rows.Row(row, length);

        public void Dispose() => _rows.Dispose();
    }
}
