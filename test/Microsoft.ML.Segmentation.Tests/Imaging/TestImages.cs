using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>Images generated in code for the imaging tests, encoded in memory or into a temporary folder.</summary>
internal static class TestImages
{
    /// <summary>A deterministic image with distinct R, G, B per pixel.</summary>
    public static Image<Rgb24> Gradient(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)), (byte)((x + y) * 7 % 256));
            }
        }

        return image;
    }

    public static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    public static byte[] Png(Image image) => Encode(image, new PngEncoder());

    public static Image<L8> Gray(int width, int height, Func<int, int, byte> value)
    {
        var image = new Image<L8>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new L8(value(x, y));
            }
        }

        return image;
    }

    /// <summary>
    /// Writes an indexed (colour type 3, 8-bit) PNG by hand, so the test knows the palette index of every pixel
    /// independently of any encoder.
    /// </summary>
    public static byte[] PalettePng(int width, int height, byte[] indices, (byte R, byte G, byte B)[] palette)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 3;
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "PLTE", palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray());
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(indices, y * width, width);
            }
        }

        WriteChunk(file, "IDAT", raw.ToArray());
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>The body of the first chunk of a type in a PNG file.</summary>
    public static byte[] Chunk(byte[] png, string type)
    {
        for (int offset = 8; offset + 12 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (png.AsSpan(offset + 4, 4).SequenceEqual(type.Select(c => (byte)c).ToArray()))
            {
                return png.AsSpan(offset + 8, length).ToArray();
            }

            offset += 12 + length;
        }

        throw new InvalidDataException($"No {type} chunk.");
    }

    private static void WriteChunk(Stream stream, string type, byte[] body)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, body.Length);
        stream.Write(length);
        byte[] typeAndBody = [.. type.Select(c => (byte)c), .. body];
        stream.Write(typeAndBody);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Microsoft.ML.Segmentation.Imaging.PngCrc.Compute(typeAndBody));
        stream.Write(crc);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "segml-imaging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, byte[] data)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, data);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
