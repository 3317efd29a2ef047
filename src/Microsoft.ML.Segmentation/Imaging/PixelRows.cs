using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Row conversions from 8-bit RGB pixels to float tensor rows (raw 0..255 values; normalisation comes after).</summary>
internal static partial class PixelRows
{
    public static void ToPlanes(ReadOnlySpan<Rgb24> row, Span<float> first, Span<float> second, Span<float> third, bool bgr)
    {
        Span<float> red = bgr ? third : first;
        Span<float> blue = bgr ? first : third;
        red = red[..row.Length];
        second = second[..row.Length];
        blue = blue[..row.Length];
        for (int x = 0; x < row.Length; x++)
        {
            Rgb24 p = row[x];
            red[x] = p.R;
            second[x] = p.G;
            blue[x] = p.B;
        }
    }

    public static void ToInterleaved(ReadOnlySpan<Rgb24> row, Span<float> destination, bool bgr)
    {
        destination = destination[..(row.Length * 3)];
        if (!bgr)
        {
            // RGB bytes are already in output order: one vectorized widening conversion.
            TensorPrimitives.ConvertTruncating<byte, float>(MemoryMarshal.AsBytes(row), destination);
            return;
        }

        int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
        for (int x = 0, i = 0; x < row.Length; x++, i += 3)
        {
            Rgb24 p = row[x];
            destination[i + r] = p.R;
            destination[i + 1] = p.G;
            destination[i + b] = p.B;
        }
    }
}
