using System.Buffers.Binary;
using Microsoft.ML.Segmentation.Tests.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>
/// A deterministic corpus of hostile image files: input <c>i</c> is always the same bytes (its own <see cref="Random"/>
/// seeded from the corpus seed and <c>i</c>), so a failing index reproduces alone. Each input is one valid seed file
/// (PNG RGB/gray/16-bit/palette, JPEG, BMP, GIF) with one or two mutations: bit flips, truncation, foreign magic,
/// truncation at PNG chunk boundaries and inside IDAT chunks, absurd declared sizes (PNG IHDR with a recomputed CRC, JPEG SOF, BMP and GIF headers), IHDR depth/colour changes,
/// palette oddities (PLTE of 0 or 300 entries, tRNS longer than PLTE), byte runs overwritten, inserted or deleted.
/// </summary>
internal sealed class FuzzCorpus
{
    private readonly int _seed;
    private readonly byte[][] _seeds;

    public FuzzCorpus(int seed)
    {
        _seed = seed;
        _seeds = BuildSeeds();
    }

    public byte[] Input(int index)
    {
        var random = new Random(unchecked((_seed * 1_000_003) + index)); // not HashCode.Combine: its seed changes per process
        byte[] data = (byte[])_seeds[random.Next(_seeds.Length)].Clone();
        int mutations = random.Next(3) == 0 ? 2 : 1;
        for (int m = 0; m < mutations; m++)
        {
            data = Mutate(data, random);
        }

        return data;
    }

    private static byte[][] BuildSeeds()
    {
        using Image<Rgb24> rgb = TestImages.Gradient(24, 16);
        using Image<L8> gray = TestImages.Gray(20, 12, (x, y) => (byte)((x + y) % 4));
        using Image<L16> gray16 = new(10, 8);
        using Image<Rgba32> rgba = rgb.CloneAs<Rgba32>();
        byte[] indices = Enumerable.Range(0, 16 * 8).Select(i => (byte)(i % 5)).ToArray();
        (byte, byte, byte)[] palette = [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128)];
        return
        [
            TestImages.Png(rgb),
            TestImages.Png(gray),
            TestImages.Encode(gray16, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale }),
            TestImages.Png(rgba),
            TestImages.Encode(rgb, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }),
            TestImages.PalettePng(16, 8, indices, palette),
            TestImages.Encode(rgb, new JpegEncoder { Quality = 80 }),
            TestImages.Encode(rgb, new BmpEncoder()),
            TestImages.Encode(rgb, new GifEncoder()),
        ];
    }

    private static byte[] Mutate(byte[] data, Random random)
    {
        bool png = data.AsSpan().StartsWith(PngChunks.Signature);
        return random.Next(12) switch
        {
            0 or 1 => FlipBits(data, random),
            2 => png && random.Next(2) == 0 ? TruncateAtChunk(data, random) : data.AsSpan(0, random.Next(data.Length)).ToArray(),
            3 => ForeignMagic(data, random),
            4 => png ? AbsurdIhdrSize(data, random) : AbsurdHeaderSize(data, random),
            5 => png ? IhdrDepthAndColour(data, random) : FlipBits(data, random),
            6 => png ? PaletteOddity(data, random) : Overwrite(data, random),
            7 => Overwrite(data, random),
            8 => Insert(data, random),
            9 => Delete(data, random),
            10 => png ? ShuffleChunks(data, random) : AbsurdHeaderSize(data, random),
            _ => FlipBits(data, random),
        };
    }

    private static byte[] FlipBits(byte[] data, Random random)
    {
        if (data.Length == 0)
        {
            return data;
        }

        for (int i = random.Next(1, 9); i > 0; i--)
        {
            data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
        }

        return data;
    }

    private static byte[] ForeignMagic(byte[] data, Random random)
    {
        byte[][] magics = [PngChunks.Signature, [0xFF, 0xD8, 0xFF], "BM"u8.ToArray(), "GIF89a"u8.ToArray(), "RIFF\0\0\0\0WEBP"u8.ToArray(), [0x49, 0x49, 0x2A, 0x00], "P6\n"u8.ToArray(), [0, 0, 2, 0, 0, 0, 0, 0]];
        byte[] magic = magics[random.Next(magics.Length)];
        byte[] copy = data.Length >= magic.Length ? data : [.. data, .. new byte[magic.Length - data.Length]];
        magic.CopyTo(copy, 0);
        return copy;
    }

    private static int AbsurdSide(Random random) => random.Next(6) switch
    {
        0 => 0,
        1 => int.MaxValue,
        2 => 65535,
        3 => random.Next(1, 100_000),
        4 => -1,
        _ => 1 << random.Next(31),
    };

    private static byte[] AbsurdIhdrSize(byte[] data, Random random)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(data);
        int header = chunks.FindIndex(c => c.Type == "IHDR" && c.Body.Length >= 8);
        if (header < 0)
        {
            return FlipBits(data, random);
        }

        BinaryPrimitives.WriteInt32BigEndian(chunks[header].Body, AbsurdSide(random));
        BinaryPrimitives.WriteInt32BigEndian(chunks[header].Body.AsSpan(4), AbsurdSide(random));
        return PngChunks.Join(chunks);
    }

    private static byte[] AbsurdHeaderSize(byte[] data, Random random)
    {
        if (data.Length > 26 && data[0] == (byte)'B' && data[1] == (byte)'M')
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(18), AbsurdSide(random));
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(22), AbsurdSide(random));
        }
        else if (data.Length > 10 && data[0] == (byte)'G')
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)AbsurdSide(random));
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)AbsurdSide(random));
        }
        else if (data.Length > 4 && data[0] == 0xFF)
        {
            // Baseline (C0) or progressive (C2) start of frame: marker, length (2), precision (1), height (2), width (2).
            for (int i = 2; i + 9 < data.Length; i++)
            {
                if (data[i] == 0xFF && data[i + 1] is 0xC0 or 0xC2)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i + 5), (ushort)AbsurdSide(random));
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i + 7), (ushort)AbsurdSide(random));
                    break;
                }
            }
        }
        else
        {
            return FlipBits(data, random);
        }

        return data;
    }

    private static byte[] IhdrDepthAndColour(byte[] data, Random random)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(data);
        int header = chunks.FindIndex(c => c.Type == "IHDR" && c.Body.Length >= 13);
        if (header < 0)
        {
            return FlipBits(data, random);
        }

        byte[] body = chunks[header].Body;
        byte[] depths = [1, 2, 4, 8, 16, 0, 3, 255];
        byte[] colours = [0, 2, 3, 4, 6, 1, 7, 255];
        body[8] = depths[random.Next(depths.Length)];
        body[9] = colours[random.Next(colours.Length)];
        if (random.Next(4) == 0)
        {
            body[10 + random.Next(3)] = (byte)random.Next(256); // compression, filter, interlace
        }

        return PngChunks.Join(chunks);
    }

    private static byte[] PaletteOddity(byte[] data, Random random)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(data);
        int header = chunks.FindIndex(c => c.Type == "IHDR");
        int data0 = chunks.FindIndex(c => c.Type == "IDAT");
        if (header < 0 || data0 < 0)
        {
            return FlipBits(data, random);
        }

        chunks.RemoveAll(c => c.Type is "PLTE" or "tRNS");
        data0 = chunks.FindIndex(c => c.Type == "IDAT");
        int entries = random.Next(5) switch
        {
            0 => 0,
            1 => 300,
            2 => 1,
            3 => 256,
            _ => random.Next(2, 20),
        };
        byte[] plte = new byte[(entries * 3) + (random.Next(4) == 0 ? random.Next(1, 3) : 0)]; // sometimes not a multiple of 3
        random.NextBytes(plte);
        chunks.Insert(data0, ("PLTE", plte));
        if (random.Next(2) == 0)
        {
            byte[] trns = new byte[random.Next(2) == 0 ? entries + random.Next(1, 300) : random.Next(0, 8)]; // longer than PLTE, or odd
            random.NextBytes(trns);
            chunks.Insert(data0 + 1, ("tRNS", trns));
        }

        if (random.Next(2) == 0 && chunks[header].Body.Length >= 13)
        {
            chunks[header].Body[9] = 3; // claim palette colour type whatever the pixel data is
            chunks[header].Body[8] = (byte)(random.Next(2) == 0 ? 8 : 16); // 16-bit palette is invalid
        }

        return PngChunks.Join(chunks);
    }

    /// <summary>
    /// The PNG with its pixel data split into small IDAT chunks (as libpng writes it), cut at a chunk boundary or inside
    /// an IDAT chunk: the cuts ImageSharp decodes without error, filling the missing rows with zeros.
    /// </summary>
    private static byte[] TruncateAtChunk(byte[] data, Random random)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(data);
        byte[] pixels = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Body).ToArray();
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        if (first < 0)
        {
            return data.AsSpan(0, random.Next(data.Length)).ToArray();
        }

        int size = random.Next(16, 256);
        var split = chunks.Take(first).ToList();
        for (int i = 0; i < pixels.Length; i += size)
        {
            split.Add(("IDAT", pixels.AsSpan(i, Math.Min(size, pixels.Length - i)).ToArray()));
        }

        split.AddRange(chunks.Skip(first).Where(c => c.Type != "IDAT"));
        byte[] whole = PngChunks.Join(split);
        int boundary = 8;
        int keep = random.Next(first + 1, split.Count);
        for (int i = 0; i < keep; i++)
        {
            boundary += 12 + split[i].Body.Length;
        }

        int inside = random.Next(2) == 0 ? 0 : random.Next(1, 12 + split[keep].Body.Length);
        return whole.AsSpan(0, Math.Min(whole.Length - 1, boundary + inside)).ToArray();
    }

    private static byte[] ShuffleChunks(byte[] data, Random random)
    {
        List<(string Type, byte[] Body)> chunks = PngChunks.Split(data);
        if (chunks.Count < 2)
        {
            return FlipBits(data, random);
        }

        int a = random.Next(chunks.Count), b = random.Next(chunks.Count);
        (chunks[a], chunks[b]) = (chunks[b], chunks[a]);
        if (random.Next(2) == 0)
        {
            chunks.Insert(random.Next(chunks.Count), chunks[random.Next(chunks.Count)]); // a duplicate (second IHDR, IDAT...)
        }

        return PngChunks.Join(chunks);
    }

    private static byte[] Overwrite(byte[] data, Random random)
    {
        if (data.Length == 0)
        {
            return data;
        }

        int start = random.Next(data.Length);
        int count = Math.Min(random.Next(1, 33), data.Length - start);
        byte fill = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => (byte)random.Next(256) };
        data.AsSpan(start, count).Fill(fill);
        return data;
    }

    private static byte[] Insert(byte[] data, Random random)
    {
        int at = random.Next(data.Length + 1);
        byte[] extra = new byte[random.Next(1, 64)];
        random.NextBytes(extra);
        return [.. data.AsSpan(0, at), .. extra, .. data.AsSpan(at)];
    }

    private static byte[] Delete(byte[] data, Random random)
    {
        if (data.Length < 2)
        {
            return data;
        }

        int at = random.Next(data.Length);
        int count = Math.Min(random.Next(1, 64), data.Length - at);
        return [.. data.AsSpan(0, at), .. data.AsSpan(at + count)];
    }
}
