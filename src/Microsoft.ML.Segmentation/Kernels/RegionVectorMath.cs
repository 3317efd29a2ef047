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
    /// float the subtraction, <see cref="ExpSingle(Vector{float})"/>'s polynomial and the sum run in
    /// one loop, several times faster than <see cref="TensorPrimitives.Exp{T}(ReadOnlySpan{T}, Span{T})"/> (which widens
    /// float to double); double keeps TensorPrimitives, where the tests hold results to 1e−12.
    /// </summary>
    public static void ExpDifference<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> shift, Span<T> destination, Span<T> sum)
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
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> e = ExpSingle(Load(xs, i) - Load(ss, i));
                Store(e, ds, i);
                if (accumulate)
                {
                    Store(Load<float>(sums, i) + e, sums, i);
                }
            }
        }

        for (; i < xs.Length; i++)
        {
            float e = ExpSingle(xs[i] - ss[i]);
            ds[i] = e;
            if (accumulate)
            {
                sums[i] += e;
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

    // Cephes expf: exp(x) = 2^n · exp(r), n = round(x·log2 e), r = x − n·ln 2 (ln 2 split in two so r is exact
    // enough), exp(r) by a degree-6 polynomial on |r| ≤ ln2/2. Max error about 1 ulp over the range used here.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float RoundMagic = 12582912f; // 1.5·2^23: adding and subtracting it rounds to the nearest integer
    private const float MinArgument = -87.33654f; // below, exp(x) < the smallest normal float: the result is 0
    private const float MaxArgument = 88f; // keeps 2^n finite; the softmax passes x − max ≤ 0 anyway
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>
    /// exp(x) in single precision, for the arguments x − max ≤ 0 of a softmax. The same polynomial runs in vector and
    /// scalar code, with separate multiplies and adds (no FMA, which SSE lacks), so a value does not depend on where
    /// in a span it falls or on the tier. Results below the smallest normal float are 0 (exp(−87.3) ≈ 1.2e−38, far
    /// below what a probability can resolve next to its peers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpSingle(Vector<float> x)
    {
        Vector<int> underflow = Vector.LessThan(x, new Vector<float>(MinArgument));
        x = Vector.MinNative(Vector.MaxNative(x, new Vector<float>(MinArgument)), new Vector<float>(MaxArgument));
        Vector<float> shifted = (x * new Vector<float>(Log2E)) + new Vector<float>(RoundMagic);
        Vector<float> n = shifted - new Vector<float>(RoundMagic);
        Vector<float> r = x - (n * new Vector<float>(Ln2Hi)) - (n * new Vector<float>(Ln2Lo));
        Vector<float> p = new Vector<float>(P0);
        p = (p * r) + new Vector<float>(P1);
        p = (p * r) + new Vector<float>(P2);
        p = (p * r) + new Vector<float>(P3);
        p = (p * r) + new Vector<float>(P4);
        p = (p * r) + new Vector<float>(P5);
        p = (p * (r * r)) + r + Vector<float>.One;
        Vector<int> exponent = Vector.AsVectorInt32(shifted) - new Vector<int>(0x4B400000);
        Vector<float> scale = Vector.AsVectorSingle(Vector.ShiftLeft(exponent + new Vector<int>(127), 23));
        return Vector.AndNot(p * scale, Vector.AsVectorSingle(underflow));
    }

    private static float ExpSingle(float x)
    {
        if (x < MinArgument)
        {
            return 0;
        }

        x = Math.Min(x, MaxArgument);
        float shifted = (x * Log2E) + RoundMagic;
        float n = shifted - RoundMagic;
        float r = x - (n * Ln2Hi) - (n * Ln2Lo);
        float p = P0;
        p = (p * r) + P1;
        p = (p * r) + P2;
        p = (p * r) + P3;
        p = (p * r) + P4;
        p = (p * r) + P5;
        p = (p * (r * r)) + r + 1;
        int exponent = BitConverter.SingleToInt32Bits(shifted) - 0x4B400000;
        return p * BitConverter.Int32BitsToSingle((exponent + 127) << 23);
    }
}
