using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Small <see cref="Vector{T}"/> helpers of the fused softmax + overlap kernels: loops that
/// <see cref="TensorPrimitives"/> has no single call for. <see cref="Vector{T}"/> is 256 bits
/// with AVX2 and 128 bits with SSE or NEON, so the same code serves every tier.
/// </summary>
internal static class RegionVectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ReadOnlySpan<T> span, int index)
        => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector<T> value, Span<T> span, int index)
        => value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);

    /// <summary>
    /// <c>destination[i] = exp(x[i] − shift[i])</c>, also added to <paramref name="sum"/> when it is not empty. For
    /// float the subtraction, <see cref="VectorMath.ExpNonPositiveAtLeast(Vector{float}, Vector{float})"/> and the sum
    /// run in one loop, several times faster than <see cref="TensorPrimitives.Exp{T}(ReadOnlySpan{T}, Span{T})"/> (which
    /// widens float to double), with x − shift raised to <paramref name="floatFloor"/> first (at or above
    /// <see cref="VectorMath.ExpLowerBound"/>); double keeps TensorPrimitives, exact, where the tests hold results to 1e−12.
    /// </summary>
    public static void ExpDifference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> shift, Span<T> destination, Span<T> sum, float floatFloor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float))
        {
            TensorPrimitives.Subtract(x, shift, destination);
            TensorPrimitives.Exp(destination, destination);
            if (!sum.IsEmpty)
            {
                TensorPrimitives.Add(sum, destination, sum);
            }

            return;
        }

        ReadOnlySpan<float> xs = MemoryMarshal.Cast<T, float>(x);
        ReadOnlySpan<float> ss = MemoryMarshal.Cast<T, float>(shift);
        Span<float> ds = MemoryMarshal.Cast<T, float>(destination);
        Span<float> sums = MemoryMarshal.Cast<T, float>(sum);
        bool accumulate = !sum.IsEmpty;
        int width = Vector<float>.Count;
        var floor = new Vector<float>(floatFloor);
        int i = 0;
        for (; i <= xs.Length - width; i += width)
        {
            Vector<float> e = VectorMath.ExpNonPositiveAtLeast(Load(xs, i) - Load(ss, i), floor);
            Store(e, ds, i);
            if (accumulate)
            {
                Store(Load<float>(sums, i) + e, sums, i);
            }
        }

        if (i < xs.Length)
        {
            // The tail through the same vector exp (zero-padded), so a value does not depend on where it falls.
            int tail = xs.Length - i;
            Span<float> pad = stackalloc float[width];
            pad.Clear();
            for (int j = 0; j < tail; j++)
            {
                pad[j] = xs[i + j] - ss[i + j];
            }

            VectorMath.ExpNonPositiveAtLeast(new Vector<float>(pad), floor).CopyTo(pad);
            for (int j = 0; j < tail; j++)
            {
                ds[i + j] = pad[j];
                if (accumulate)
                {
                    sums[i + j] += pad[j];
                }
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="row"/> into <paramref name="copy"/> and sets <c>max[i] = max(max[i], row[i])</c> (or
    /// <c>row[i]</c> when <paramref name="first"/>): one strided read of a channel row, after which the block works on
    /// contiguous scratch. Returns whether every element is finite, the check <see cref="FiniteGuard"/> would make in
    /// a separate pass over the whole tensor.
    /// </summary>
    public static bool CopyMaxAndCheckFinite<T>(ReadOnlySpan<T> row, Span<T> copy, Span<T> max, bool first)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        bool finite = true;
        if (Vector.IsHardwareAccelerated)
        {
            // x − x is 0 for finite x and NaN for NaN and ±Inf.
            Vector<T> check = Vector<T>.Zero;
            for (; i <= row.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Vector<T> x = Load(row, i);
                check += x - x;
                Store(x, copy, i);
                Store(first ? x : Vector.MaxNative(Load<T>(max, i), x), max, i);
            }

            finite = Vector.EqualsAll(check, Vector<T>.Zero);
        }

        for (; i < row.Length; i++)
        {
            T x = row[i];
            finite &= T.IsFinite(x);
            copy[i] = x;
            max[i] = first || x > max[i] ? x : max[i];
        }

        return finite;
    }

    /// <summary>Softmax's gradient from p and ∂L/∂p: <c>gradient = p(∂L/∂p − Σ_j p_j ∂L/∂p_j)</c>; <paramref name="gradient"/> may be <paramref name="probability"/>.</summary>
    public static void SoftmaxGradient<T>(ReadOnlySpan<T> probability, ReadOnlySpan<T> derivative, ReadOnlySpan<T> dot, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= probability.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                Store(Load(probability, i) * (Load(derivative, i) - Load(dot, i)), gradient, i);
            }
        }

        for (; i < probability.Length; i++)
        {
            gradient[i] = probability[i] * (derivative[i] - dot[i]);
        }
    }
}
