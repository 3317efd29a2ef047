using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Reverses the five PNG scanline filters (PNG 1.2, section 6) in place, one row at a time, for whole-byte pixels:
/// each filtered byte becomes the sum (mod 256) of itself and a predictor from the byte <c>bpp</c> to its left (a),
/// the byte above (b) and the byte above-left (c); bytes left of the row and above the first row count as 0.
/// </summary>
internal static class PngFilters
{
    /// <summary>Un-filters <paramref name="row"/> (pixel bytes, without the filter-type byte) given the un-filtered row above; false for a filter type PNG does not define.</summary>
    public static bool TryUnfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        previous = previous[..row.Length];
        switch (filter)
        {
            case 0:
                return true;
            case 1:
                if (Vector128.IsHardwareAccelerated && bytesPerPixel is 3 or 4)
                {
                    SubPixelAtATime(row, bytesPerPixel);
                }
                else
                {
                    Carried<SubPredictor>(row, previous, bytesPerPixel);
                }

                return true;
            case 2:
                Up(row, previous);
                return true;
            case 3:
                Carried<AveragePredictor>(row, previous, bytesPerPixel);
                return true;
            case 4:
                if (Vector128.IsHardwareAccelerated && bytesPerPixel is 3 or 4)
                {
                    PaethPixelAtATime(row, previous, bytesPerPixel);
                }
                else
                {
                    Carried<PaethPredictor>(row, previous, bytesPerPixel);
                }

                return true;
            default:
                return false;
        }
    }

    private static void Up(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<byte>> rowVectors = MemoryMarshal.Cast<byte, Vector<byte>>(row);
            ReadOnlySpan<Vector<byte>> previousVectors = MemoryMarshal.Cast<byte, Vector<byte>>(previous);
            for (int v = 0; v < rowVectors.Length; v++)
            {
                rowVectors[v] += previousVectors[v];
            }

            i = rowVectors.Length * Vector<byte>.Count;
        }

        for (; i < row.Length; i++)
        {
            row[i] += previous[i];
        }
    }

    /// <summary>
    /// Sub, Average and Paeth: each byte needs the un-filtered byte one pixel to its left, so the row is a chain per
    /// channel. Read back from the row, that byte costs a store-to-load forward on the chain (about 5 cycles a byte);
    /// here each channel's left (a) and above-left (c) byte stay in registers, one local per channel for the common
    /// pixel sizes (1, 3 and 4 bytes: grey and palette masks, RGB, RGBA), so the channels' chains also run side by side.
    /// Other sizes (16-bit samples, grey with alpha) take the per-byte loop. Left of the row a = c = 0.
    /// </summary>
    // Optimized at the first call: a decoder calls this once a row, too few times for tiering to promote it early, and
    // unoptimized code calls the predictor (a generic static) for every byte.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Carried<TPredictor>(Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
        where TPredictor : struct, IPredictor
    {
        switch (bytesPerPixel)
        {
            case 1:
                {
                    int a = 0, c = 0;
                    for (int i = 0; i < row.Length; i++)
                    {
                        int b = previous[i];
                        a = (row[i] + TPredictor.Predict(a, b, c)) & 0xFF;
                        row[i] = (byte)a;
                        c = b;
                    }

                    return;
                }

            case 3:
                {
                    int a0 = 0, a1 = 0, a2 = 0, c0 = 0, c1 = 0, c2 = 0;
                    for (int i = 0; i + 2 < row.Length; i += 3)
                    {
                        Span<byte> pixel = row.Slice(i, 3);
                        ReadOnlySpan<byte> above = previous.Slice(i, 3);
                        Step<TPredictor>(ref pixel[0], above[0], ref a0, ref c0);
                        Step<TPredictor>(ref pixel[1], above[1], ref a1, ref c1);
                        Step<TPredictor>(ref pixel[2], above[2], ref a2, ref c2);
                    }

                    return;
                }

            case 4:
                {
                    int a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
                    for (int i = 0; i + 3 < row.Length; i += 4)
                    {
                        Span<byte> pixel = row.Slice(i, 4);
                        ReadOnlySpan<byte> above = previous.Slice(i, 4);
                        Step<TPredictor>(ref pixel[0], above[0], ref a0, ref c0);
                        Step<TPredictor>(ref pixel[1], above[1], ref a1, ref c1);
                        Step<TPredictor>(ref pixel[2], above[2], ref a2, ref c2);
                        Step<TPredictor>(ref pixel[3], above[3], ref a3, ref c3);
                    }

                    return;
                }

            default:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
                    int c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
                    row[i] = (byte)(row[i] + TPredictor.Predict(a, previous[i], c));
                }

                return;
        }
    }

    /// <summary>
    /// Paeth on RGB and RGBA rows, one pixel's channels at once in 16-bit lanes: the predictor is some 16 operations a
    /// byte, so with the left pixel carried in registers the scalar loop is bound by their count (about 2.4 ns a byte
    /// here), which one vector of a pixel's channels divides by the pixel's size. Same arithmetic as
    /// <see cref="PaethPredictor"/>: the differences fit in 16-bit lanes and a greater-than is the branch-free choice.
    /// A pixel is read and written as 4 bytes (RGB: 2 + 1 written); an RGB row's last pixel takes the scalar step, so
    /// no read goes past the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PaethPixelAtATime(Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        ref byte current = ref MemoryMarshal.GetReference(row);
        ref byte above = ref MemoryMarshal.GetReference(previous);
        int pixels = row.Length / bytesPerPixel;
        int vectorPixels = bytesPerPixel == 4 ? pixels : pixels - 1;
        Vector128<short> a = Vector128<short>.Zero, c = Vector128<short>.Zero, low = Vector128.Create((short)0xFF);
        int i = 0;
        for (int k = 0; k < vectorPixels; k++, i += bytesPerPixel)
        {
            Vector128<short> b = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref above, i)));
            Vector128<short> filtered = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref current, i)));
            Vector128<short> bMinusC = b - c, aMinusC = a - c;
            Vector128<short> pa = Vector128.Abs(bMinusC), pb = Vector128.Abs(aMinusC), pc = Vector128.Abs(aMinusC + bMinusC);
            Vector128<short> bOrC = Vector128.ConditionalSelect(Vector128.GreaterThan(pb, pc), c, b);
            Vector128<short> notA = Vector128.GreaterThan(pa, pb) | Vector128.GreaterThan(pa, pc);
            a = (filtered + Vector128.ConditionalSelect(notA, bOrC, a)) & low;
            uint bytes = Vector128.Narrow(a, a).AsUInt32().ToScalar();
            if (bytesPerPixel == 4)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref current, i), bytes);
            }
            else
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref current, i), (ushort)bytes);
                Unsafe.Add(ref current, i + 2) = (byte)(bytes >> 16);
            }

            c = b;
        }

        for (int channel = 0; i < row.Length; i++, channel++)
        {
            int left = a.GetElement(channel), aboveLeft = c.GetElement(channel);
            row[i] = (byte)(row[i] + PaethPredictor.Predict(left, previous[i], aboveLeft));
        }
    }

    /// <summary>
    /// Sub on RGB and RGBA rows, a pixel's channels at once: bytes add modulo 256 in byte lanes, so the chain is one
    /// addition a pixel (the scalar loop carries one chain a channel, each an add and a mask). Read and written as in
    /// <see cref="PaethPixelAtATime"/>: 4 bytes a pixel, an RGB row's last pixel by the scalar step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SubPixelAtATime(Span<byte> row, int bytesPerPixel)
    {
        ref byte current = ref MemoryMarshal.GetReference(row);
        int pixels = row.Length / bytesPerPixel;
        int vectorPixels = bytesPerPixel == 4 ? pixels : pixels - 1;
        Vector128<byte> a = Vector128<byte>.Zero;
        int i = 0;
        for (int k = 0; k < vectorPixels; k++, i += bytesPerPixel)
        {
            a += Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref current, i))).AsByte();
            uint bytes = a.AsUInt32().ToScalar();
            if (bytesPerPixel == 4)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref current, i), bytes);
            }
            else
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref current, i), (ushort)bytes);
                Unsafe.Add(ref current, i + 2) = (byte)(bytes >> 16);
            }
        }

        for (int channel = 0; i < row.Length; i++, channel++)
        {
            row[i] += a.GetElement(channel);
        }
    }

    private static Vector128<short> Widen(uint fourBytes)
        => Vector128.WidenLower(Vector128.CreateScalarUnsafe(fourBytes).AsByte()).AsInt16();

    /// <summary>
    /// One channel's byte: un-filtered from its predictor, written back, and carried as the next pixel's left
    /// (<paramref name="a"/>) and above-left (<paramref name="c"/>). Inlined, so a and c stay the caller's registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TPredictor>(ref byte value, int b, ref int a, ref int c)
        where TPredictor : struct, IPredictor
    {
        a = (value + TPredictor.Predict(a, b, c)) & 0xFF;
        value = (byte)a;
        c = b;
    }

    /// <summary>A filter's predictor from the un-filtered left (a), above (b) and above-left (c) bytes, each 0 to 255.</summary>
    private interface IPredictor
    {
        static abstract int Predict(int a, int b, int c);
    }

    private readonly struct SubPredictor : IPredictor
    {
        public static int Predict(int a, int b, int c) => a;
    }

    private readonly struct AveragePredictor : IPredictor
    {
        public static int Predict(int a, int b, int c) => (a + b) >> 1;
    }

    private readonly struct PaethPredictor : IPredictor
    {
        /// <summary>
        /// Branch-free: on photographic data the choice among a, b and c is close to random, and mispredicted branches
        /// made the Paeth loop cost three times the inflate (measured). Differences fit in 10 bits, so the sign bit of a
        /// difference is the comparison. Inlined by request: the loops are compiled optimized at once, without profile
        /// data, and then the JIT judged it too large and called it for every byte.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Predict(int a, int b, int c)
        {
            int pa = Abs(b - c), pb = Abs(a - c), pc = Abs(a + b - c - c);
            int notA = ((pb - pa) | (pc - pa)) >> 31; // all ones when pa > pb or pa > pc
            int bOrC = b ^ ((b ^ c) & ((pc - pb) >> 31)); // c when pb > pc
            return a ^ ((a ^ bOrC) & notA);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Abs(int value)
    {
        int sign = value >> 31;
        return (value ^ sign) - sign;
    }
}
