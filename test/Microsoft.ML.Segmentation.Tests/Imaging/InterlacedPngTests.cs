using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Fuzzing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// Interlaced (Adam7) PNGs: ImageSharp 2.1.13 never returns from some valid ones (1x1, 3x2, 4x12...), so the loaders
/// de-interlace them first. Every size from 1x1 to 12x12 must load, within a time limit, to exactly the pixels of the
/// same image saved without interlacing: files written by a spec-conformant Adam7 writer in this test (8-bit RGB and
/// 2-bit gray, where empty passes have no scanlines) and by ImageSharp's encoder in every colour type and bit depth
/// (adaptive filters; it writes a filter byte for each row of an empty pass).
/// </summary>
[TestClass]
public sealed class InterlacedPngTests
{
    [TestMethod]
    public void EverySmallSizeLoadsAsTheSequentialImage()
    {
        Task<List<string>> run = Task.Run(CompareAll);
        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(120)), "an interlaced PNG load did not return");
        Assert.IsEmpty(run.Result, string.Join(Environment.NewLine, run.Result.Take(20)));
    }

    private static List<string> CompareAll()
    {
        var loader = new SegmentationImageLoader();
        var failures = new List<string>();
        var random = new Random(17);
        for (int h = 1; h <= 12; h++)
        {
            for (int w = 1; w <= 12; w++)
            {
                using var rgb = new Image<Rgb24>(w, h);
                var levels = new int[w * h];
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        rgb[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                        levels[(y * w) + x] = random.Next(4);
                    }
                }

                float[] expected = loader.Load(TestImages.Png(rgb)).Data;
                Check($"{w}x{h} rgb, conformant writer", Adam7(w, h, 8, 2, (x, y, c) => c switch { 0 => rgb[x, y].R, 1 => rgb[x, y].G, _ => rgb[x, y].B }), expected);

                using Image<L8> grayLevels = TestImages.Gray(w, h, (x, y) => (byte)(levels[(y * w) + x] * 85));
                Check($"{w}x{h} 2-bit gray, conformant writer", Adam7(w, h, 2, 0, (x, y, _) => levels[(y * w) + x]), loader.Load(TestImages.Png(grayLevels)).Data);

                using Image<L8> gray = rgb.CloneAs<L8>();
                foreach ((string name, Image image, PngEncoder encoder) in new (string, Image, PngEncoder)[]
                {
                    ("rgb", rgb, new PngEncoder { ColorType = PngColorType.Rgb }),
                    ("rgba", rgb, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }),
                    ("rgb 16-bit", rgb, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 }),
                    ("gray", gray, new PngEncoder { ColorType = PngColorType.Grayscale }),
                    ("gray 16-bit", gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 }),
                    ("gray 1-bit", gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit1 }),
                    ("gray 4-bit", gray, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit4 }),
                    ("palette", rgb, new PngEncoder { ColorType = PngColorType.Palette }),
                    ("palette 4-bit", rgb, new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit4 }),
                })
                {
                    encoder.InterlaceMethod = PngInterlaceMode.None;
                    float[] sequential = loader.Load(TestImages.Encode(image, encoder)).Data;
                    encoder.InterlaceMethod = PngInterlaceMode.Adam7;
                    Check($"{w}x{h} {name}, ImageSharp's encoder", TestImages.Encode(image, encoder), sequential);
                }
            }
        }

        return failures;

        void Check(string name, byte[] interlaced, float[] expected)
        {
            Assert.AreEqual(1, interlaced[28], $"{name}: not interlaced");
            float[] actual;
            try
            {
                actual = loader.Load(interlaced).Data;
            }
            catch (InvalidDataException e)
            {
                failures.Add($"{name}: {e.Message}");
                return;
            }

            if (!actual.AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{name}: other pixels than the sequential file");
            }
        }
    }

    /// <summary>
    /// An Adam7 PNG written from the PNG specification: gray (colour type 0) or RGB (2) at <paramref name="bitDepth"/>,
    /// each pass's rows with filter None and pixels packed most significant bits first, no scanlines for an empty pass.
    /// </summary>
    private static byte[] Adam7(int width, int height, int bitDepth, int colorType, Func<int, int, int, int> sample)
    {
        int channels = colorType == 2 ? 3 : 1;
        (int X, int Y, int DX, int DY)[] passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        var raw = new List<byte>();
        foreach ((int x0, int y0, int dx, int dy) in passes)
        {
            for (int y = y0; y < height && x0 < width; y += dy)
            {
                raw.Add(0);
                int bits = 0, accumulator = 0;
                for (int x = x0; x < width; x += dx)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        accumulator = (accumulator << bitDepth) | sample(x, y, c);
                        bits += bitDepth;
                        if (bits == 8)
                        {
                            raw.Add((byte)accumulator);
                            bits = accumulator = 0;
                        }
                    }
                }

                if (bits > 0)
                {
                    raw.Add((byte)(accumulator << (8 - bits)));
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw.ToArray());
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        header[12] = 1;
        return PngChunks.Join([("IHDR", header), ("IDAT", compressed.ToArray()), ("IEND", [])]);
    }
}
