using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

internal static partial class PixelRows
{
    /// <summary>
    /// Writes one row of 8-bit RGB pixels as three normalised plane rows in one pass: output channel c gets
    /// <c>value · multiplier[c] + offset[c]</c> (a multiply, then an add, each rounded: the float operations of
    /// <see cref="PixelNormalization.ApplyToPlanes"/>, so the values agree bit for bit), straight from the decoder's
    /// row into the tensor, with no raw float copy of the image in between.
    /// </summary>
    /// <param name="row">The pixels.</param>
    /// <param name="first">Output channel 0 (red, or blue when <paramref name="bgr"/>); at least the row's length.</param>
    /// <param name="second">Output channel 1 (green).</param>
    /// <param name="third">Output channel 2 (blue, or red when <paramref name="bgr"/>).</param>
    /// <param name="bgr">Whether output channel 0 holds blue.</param>
    /// <param name="multiplier">Per output channel; 3 values.</param>
    /// <param name="offset">Per output channel; 3 values.</param>
    public static void ToNormalizedPlanes(ReadOnlySpan<Rgb24> row, Span<float> first, Span<float> second, Span<float> third, bool bgr, ReadOnlySpan<float> multiplier, ReadOnlySpan<float> offset)
    {
        int length = row.Length;
        Span<float> red = (bgr ? third : first)[..length];
        Span<float> green = second[..length];
        Span<float> blue = (bgr ? first : third)[..length];
        int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
        float mr = multiplier[r], mg = multiplier[1], mb = multiplier[b];
        float addR = offset[r], addG = offset[1], addB = offset[b];
        int x = 0;
        if (Vector128.IsHardwareAccelerated && length >= Vector128<byte>.Count)
        {
            x = ToNormalizedPlanesVector128(MemoryMarshal.AsBytes(row), red, green, blue, new(mr, addR), new(mg, addG), new(mb, addB));
        }

        for (; x < length; x++)
        {
            Rgb24 p = row[x];
            red[x] = (p.R * mr) + addR;
            green[x] = (p.G * mg) + addG;
            blue[x] = (p.B * mb) + addB;
        }
    }

    /// <summary>
    /// 16 pixels (48 bytes) at a time: each channel's 16 bytes gathered from the three 16-byte loads with byte shuffles
    /// (an out-of-range index gives 0, so an OR joins them), widened to int, converted (exactly: bytes fit a float) and
    /// normalised. 128-bit vectors serve every tier (SSSE3 and up, NEON); the decode, not this, dominates.
    /// </summary>
    /// <returns>The number of pixels written: a multiple of 16, the rest left to the scalar loop.</returns>
    private static int ToNormalizedPlanesVector128(ReadOnlySpan<byte> bytes, Span<float> red, Span<float> green, Span<float> blue, (float M, float O) rc, (float M, float O) gc, (float M, float O) bc)
    {
        ref byte source = ref MemoryMarshal.GetReference(bytes);
        ref float redRef = ref MemoryMarshal.GetReference(red);
        ref float greenRef = ref MemoryMarshal.GetReference(green);
        ref float blueRef = ref MemoryMarshal.GetReference(blue);
        int pixels = red.Length - (red.Length % 16);
        for (int x = 0; x < pixels; x += 16)
        {
            nuint at = (nuint)(3 * x);
            Vector128<byte> a = Vector128.LoadUnsafe(ref source, at);
            Vector128<byte> m = Vector128.LoadUnsafe(ref source, at + 16);
            Vector128<byte> z = Vector128.LoadUnsafe(ref source, at + 32);
            Vector128<byte> r = Vector128.Shuffle(a, Vector128.Create((byte)0, 3, 6, 9, 12, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(m, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 5, 8, 11, 14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(z, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 4, 7, 10, 13));
            Vector128<byte> g = Vector128.Shuffle(a, Vector128.Create((byte)1, 4, 7, 10, 13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(m, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 3, 6, 9, 12, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(z, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 5, 8, 11, 14));
            Vector128<byte> b = Vector128.Shuffle(a, Vector128.Create((byte)2, 5, 8, 11, 14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(m, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 4, 7, 10, 13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
                | Vector128.Shuffle(z, Vector128.Create((byte)0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 3, 6, 9, 12, 15));
            Store(r, rc, ref redRef, (nuint)x);
            Store(g, gc, ref greenRef, (nuint)x);
            Store(b, bc, ref blueRef, (nuint)x);
        }

        return pixels;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<byte> values, (float M, float O) coefficients, ref float destination, nuint at)
    {
        var multiplier = Vector128.Create(coefficients.M);
        var offset = Vector128.Create(coefficients.O);
        (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(values);
        (Vector128<uint> q0, Vector128<uint> q1) = Vector128.Widen(low);
        (Vector128<uint> q2, Vector128<uint> q3) = Vector128.Widen(high);
        // Multiply and add stay two rounded operations (never a fused multiply-add), as in PixelNormalization.
        ((Vector128.ConvertToSingle(q0.AsInt32()) * multiplier) + offset).StoreUnsafe(ref destination, at);
        ((Vector128.ConvertToSingle(q1.AsInt32()) * multiplier) + offset).StoreUnsafe(ref destination, at + 4);
        ((Vector128.ConvertToSingle(q2.AsInt32()) * multiplier) + offset).StoreUnsafe(ref destination, at + 8);
        ((Vector128.ConvertToSingle(q3.AsInt32()) * multiplier) + offset).StoreUnsafe(ref destination, at + 12);
    }
}
