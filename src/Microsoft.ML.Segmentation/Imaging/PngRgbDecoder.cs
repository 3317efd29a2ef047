using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Decodes the common PNG (8 bits per sample, not interlaced; gray, RGB, palette, gray+alpha, RGBA) to 8-bit RGB with
/// one inflate of the pixel data, which both produces the rows and proves that all of them are present: the
/// guarded ImageSharp path inflates the data twice (<see cref="PngCompleteness"/>, then the decoder). The pixels are
/// the ones ImageSharp 2.1.13's <c>Image.Load&lt;Rgb24&gt;</c> gives: gray repeated in R, G and B, alpha and tRNS
/// dropped, not composited. Index masks of the same kind (8-bit gray or palette, no tRNS) decode the same way straight
/// to class indices (<see cref="TryDecodeIndexMask"/>).
/// </summary>
/// <remarks>
/// Anything else gives <see langword="null"/> and the caller takes the guarded ImageSharp path, which owns every error
/// message: other bit depths and interlacing; chunks that carry metadata the loader acts on (eXIf and the text chunks,
/// where ImageSharp finds EXIF orientation) or that this path does not read (iCCP, unknown chunks); and every
/// irregularity (a cut chunk, a CRC mismatch, corrupt or short zlib data, extra data, an unknown filter type, a palette
/// index past the palette, a size over the pixel limit). Correct files of the common kind never reach ImageSharp.
/// </remarks>
internal static class PngRgbDecoder
{
    /// <summary>The decoded image, or <see langword="null"/> when the guarded ImageSharp path must decode the data (see remarks).</summary>
    public static Image<Rgb24>? TryDecode(ReadOnlySpan<byte> data, Configuration configuration, long maxPixels)
    {
        if (!TryReadLayout(data, maxPixels, out Layout layout))
        {
            return null;
        }

        var image = new Image<Rgb24>(configuration, layout.Width, layout.Height);
        if (!TryDecodeRows(data, layout, new RgbRows(image)))
        {
            image.Dispose();
            return null;
        }

        return image;
    }

    /// <summary>
    /// The class indices of an index mask — an 8-bit gray PNG (the gray value) or palette PNG (the palette index), with
    /// no transparency — row-major in <paramref name="labels"/>; <see langword="false"/> (and the guarded ImageSharp
    /// path) for any other file, as <see cref="TryDecode"/>. The values are what <c>MaskDecoder</c> reads from
    /// ImageSharp's decode of the same file, before its range check.
    /// </summary>
    /// <param name="data">The encoded file.</param>
    /// <param name="maxPixels">The largest pixel count accepted.</param>
    /// <param name="labels">The class indices; <paramref name="reuse"/> when it has exactly the mask's pixel count.</param>
    /// <param name="width">The mask's width.</param>
    /// <param name="height">The mask's height.</param>
    /// <param name="reuse">An array to decode into (overwritten, also when the decode is declined), or <see langword="null"/>.</param>
    public static bool TryDecodeIndexMask(ReadOnlySpan<byte> data, long maxPixels, out int[] labels, out int width, out int height, int[]? reuse = null)
    {
        labels = [];
        width = height = 0;
        if (!TryReadLayout(data, maxPixels, out Layout layout) || layout.Channels != 1 || layout.HasTransparency)
        {
            return false;
        }

        // Uninitialised: every row is written or the decode fails and the array is dropped.
        int pixels = layout.Width * layout.Height;
        var rows = new IndexRows(reuse?.Length == pixels ? reuse : GC.AllocateUninitializedArray<int>(pixels), layout.Width);
        if (!TryDecodeRows(data, layout, rows))
        {
            return false;
        }

        (labels, width, height) = (rows.Labels, layout.Width, layout.Height);
        return true;
    }

    /// <summary>Inflates the IDAT data once, un-filters each row and hands it to <paramref name="rows"/>: false where the data is not whole and exact.</summary>
    private static unsafe bool TryDecodeRows<TRows>(ReadOnlySpan<byte> data, in Layout layout, TRows rows)
        where TRows : IRowWriter
    {
        int rowBytes = layout.Width * layout.Channels, stride = rowBytes + 1;
        long filteredSize = (long)stride * layout.Height;
        if (filteredSize > Array.MaxLength)
        {
            return false;
        }

        // All scanlines inflate in one call into one pooled buffer and are un-filtered there in place: zlib run with
        // row-sized output buffers was measured 3x slower than the inflate itself (it leaves its fast loop near each
        // buffer's end), and the row above stays where the next row's filter reads it.
        byte[] filtered = ArrayPool<byte>.Shared.Rent((int)filteredSize + stride);
        try
        {
            fixed (byte* pointer = data)
            {
                using var idat = new PngDataStream(pointer, data.Length);
                using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
                Span<byte> scanlines = filtered.AsSpan(stride, (int)filteredSize);
                if (inflater.ReadAtLeast(scanlines, scanlines.Length, throwOnEndOfStream: false) < scanlines.Length)
                {
                    return false; // rows are missing: the guarded path says how many
                }

                // The zlib stream must end here: reading on checks its Adler-32; more data is left to ImageSharp.
                Span<byte> rest = stackalloc byte[1];
                if (inflater.Read(rest) != 0)
                {
                    return false;
                }
            }

            filtered.AsSpan(0, stride).Clear(); // the row above the first counts as zeros
            for (int y = 0; y < layout.Height; y++)
            {
                Span<byte> previous = filtered.AsSpan((y * stride) + 1, rowBytes), current = filtered.AsSpan((y + 1) * stride, stride);
                if (!PngFilters.TryUnfilter(current[0], current[1..], previous, layout.Channels) || !rows.TryWrite(y, current[1..], layout))
                {
                    return false;
                }
            }

            return true;
        }
        catch (InvalidDataException)
        {
            return false; // corrupt zlib data: the guarded path reports it
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(filtered);
        }
    }

    /// <summary>Where <see cref="TryDecodeRows{TRows}"/> puts each un-filtered row (a struct, so the loop is specialised).</summary>
    private interface IRowWriter
    {
        /// <summary>Writes row <paramref name="y"/>; false where the row holds what this path leaves to ImageSharp (a palette index past the palette).</summary>
        bool TryWrite(int y, ReadOnlySpan<byte> row, in Layout layout);
    }

    private readonly struct RgbRows(Image<Rgb24> image) : IRowWriter
    {
        public bool TryWrite(int y, ReadOnlySpan<byte> row, in Layout layout)
            => TryWriteRgb(row, MemoryMarshal.AsBytes(image.DangerousGetPixelRowMemory(y).Span), layout);
    }

    private readonly struct IndexRows(int[] labels, int width) : IRowWriter
    {
        public int[] Labels { get; } = labels;

        public bool TryWrite(int y, ReadOnlySpan<byte> row, in Layout layout)
        {
            Span<int> target = Labels.AsSpan(y * width, width);
            ReadOnlySpan<byte> indices = row[..width];
            int entries = layout.ColorType == 3 ? layout.Palette.Length / 3 : 256;
            if (entries < 256 && TensorPrimitives.Max(indices) >= entries)
            {
                return false; // an index past the palette: ImageSharp's path reports it
            }

            Widen(indices, target);
            return true;
        }
    }

    /// <summary>Each byte as an int, 16 at a time where vectors are accelerated.</summary>
    private static void Widen(ReadOnlySpan<byte> source, Span<int> destination)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte from = ref MemoryMarshal.GetReference(source);
            ref int to = ref MemoryMarshal.GetReference(destination);
            for (; x <= source.Length - Vector128<byte>.Count; x += Vector128<byte>.Count)
            {
                (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(Vector128.LoadUnsafe(ref from, (nuint)x));
                (Vector128<uint> a, Vector128<uint> b) = Vector128.Widen(low);
                (Vector128<uint> c, Vector128<uint> d) = Vector128.Widen(high);
                a.AsInt32().StoreUnsafe(ref to, (nuint)x);
                b.AsInt32().StoreUnsafe(ref to, (nuint)(x + 4));
                c.AsInt32().StoreUnsafe(ref to, (nuint)(x + 8));
                d.AsInt32().StoreUnsafe(ref to, (nuint)(x + 12));
            }
        }

        for (; x < source.Length; x++)
        {
            destination[x] = source[x];
        }
    }

    private static bool TryWriteRgb(ReadOnlySpan<byte> source, Span<byte> destination, in Layout layout)
    {
        int width = layout.Width;
        switch (layout.ColorType)
        {
            case 2:
                source.CopyTo(destination);
                return true;
            case 0:
                for (int x = 0, o = 0; x < width; x++, o += 3)
                {
                    byte gray = source[x];
                    destination[o] = gray;
                    destination[o + 1] = gray;
                    destination[o + 2] = gray;
                }

                return true;
            case 4:
                for (int x = 0, o = 0; x < width; x++, o += 3)
                {
                    byte gray = source[2 * x];
                    destination[o] = gray;
                    destination[o + 1] = gray;
                    destination[o + 2] = gray;
                }

                return true;
            case 6:
                for (int x = 0, o = 0, i = 0; x < width; x++, o += 3, i += 4)
                {
                    destination[o] = source[i];
                    destination[o + 1] = source[i + 1];
                    destination[o + 2] = source[i + 2];
                }

                return true;
            default:
                ReadOnlySpan<byte> palette = layout.Palette;
                int entries = palette.Length / 3;
                for (int x = 0, o = 0; x < width; x++, o += 3)
                {
                    int index = source[x];
                    if (index >= entries)
                    {
                        return false; // what ImageSharp makes of it is ImageSharp's to say
                    }

                    palette.Slice(3 * index, 3).CopyTo(destination.Slice(o, 3));
                }

                return true;
        }
    }

    /// <summary>Reads IHDR and walks every chunk to IEND: true only for a file in this decoder's scope whose chunks are all whole with matching CRCs.</summary>
    private static bool TryReadLayout(ReadOnlySpan<byte> data, long maxPixels, out Layout layout)
    {
        layout = default;
        if (data.Length < 45 || !data[..8].SequenceEqual(PngHeader.Signature)
            || BinaryPrimitives.ReadUInt32BigEndian(data[8..]) != 13 || !data.Slice(12, 4).SequenceEqual("IHDR"u8)
            || !CrcMatches(data, 8, 13))
        {
            return false;
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        byte depth = data[24], colorType = data[25];
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (width == 0 || height == 0 || width > int.MaxValue / 4 || height > int.MaxValue || (long)width * height > maxPixels
            || depth != 8 || channels == 0 || data[26] != 0 || data[27] != 0 || data[28] != 0)
        {
            return false;
        }

        ReadOnlySpan<byte> palette = default;
        int offset = 33;
        bool seenData = false, dataEnded = false, transparency = false;
        while (true)
        {
            if (offset > data.Length - 12)
            {
                return false; // cut inside a chunk header, or no IEND
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            if (length > (uint)(data.Length - offset - 12) || !CrcMatches(data, offset, (int)length))
            {
                return false;
            }

            ReadOnlySpan<byte> type = data.Slice(offset + 4, 4), body = data.Slice(offset + 8, (int)length);
            if (type.SequenceEqual("IDAT"u8))
            {
                if (dataEnded)
                {
                    return false; // IDAT chunks must be consecutive
                }

                seenData = true;
            }
            else
            {
                dataEnded = seenData;
                if (type.SequenceEqual("IEND"u8))
                {
                    break;
                }

                if (type.SequenceEqual("PLTE"u8))
                {
                    if (seenData || length == 0 || length > 768 || length % 3 != 0)
                    {
                        return false;
                    }

                    palette = body;
                }
                else if (!IsIgnorable(type))
                {
                    return false;
                }

                transparency |= type.SequenceEqual("tRNS"u8);
            }

            offset += 12 + (int)length;
        }

        if (!seenData || (colorType == 3 && palette.IsEmpty))
        {
            return false;
        }

        layout = new Layout((int)width, (int)height, colorType, channels, palette, transparency);
        return true;
    }

    /// <summary>
    /// Ancillary chunks that do not change ImageSharp 2.1.13's Rgb24 pixels or the loader's use of them: tRNS (alpha,
    /// dropped), gAMA, cHRM, sRGB and sBIT (read as metadata, never applied), bKGD, pHYs and tIME.
    /// </summary>
    private static bool IsIgnorable(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("tRNS"u8) || type.SequenceEqual("gAMA"u8) || type.SequenceEqual("cHRM"u8) || type.SequenceEqual("sRGB"u8)
        || type.SequenceEqual("sBIT"u8) || type.SequenceEqual("bKGD"u8) || type.SequenceEqual("pHYs"u8) || type.SequenceEqual("tIME"u8);

    private static bool CrcMatches(ReadOnlySpan<byte> data, int chunk, int length) =>
        PngCrc.Compute(data.Slice(chunk + 4, length + 4)) == BinaryPrimitives.ReadUInt32BigEndian(data[(chunk + 8 + length)..]);

    private readonly ref struct Layout(int width, int height, byte colorType, int channels, ReadOnlySpan<byte> palette, bool hasTransparency)
    {
        /// <summary>Whether a tRNS chunk is present (ImageSharp then decodes to a pixel type with alpha).</summary>
        public bool HasTransparency { get; } = hasTransparency;

        public int Width { get; } = width;

        public int Height { get; } = height;

        public byte ColorType { get; } = colorType;

        /// <summary>Bytes per pixel (8-bit samples).</summary>
        public int Channels { get; } = channels;

        /// <summary>PLTE's body (RGB triples) for colour type 3.</summary>
        public ReadOnlySpan<byte> Palette { get; } = palette;
    }
}
