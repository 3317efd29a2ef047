using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Tests.Imaging;

/// <summary>
/// The loader writes decoded rows straight into normalised CHW planes (one pass, 128-bit vectors for 16 pixels at a
/// time, a scalar tail). Its tensors must be bit-identical to a brute-force oracle (ImageSharp's own decode to
/// <see cref="Rgb24"/>, EXIF orientation applied, then <c>value · (scale / std) + (−mean / std)</c> per pixel in plain
/// float arithmetic) and to the two-pass path it replaced (raw rows, then <see cref="PixelNormalization.ApplyToPlanes"/>),
/// for every pixel format the loader converts: PNG RGB, RGBA, gray, 16-bit, and JPEG.
/// </summary>
[TestClass]
public sealed class DirectPlaneDecodeTests
{
    // 37 and 53 columns: two full 16-pixel blocks and a tail, and three blocks and a tail; 16: blocks only; 5: tail only.
    private static readonly (int Width, int Height)[] s_sizes = [(37, 11), (53, 4), (16, 3), (5, 7)];

    public static IEnumerable<object[]> Encodings()
    {
        yield return new object[] { "png-rgb" };
        yield return new object[] { "png-rgba" };
        yield return new object[] { "png-gray" };
        yield return new object[] { "png-rgb16" };
        yield return new object[] { "jpeg" };
    }

    public static IEnumerable<object[]> Options()
    {
        yield return new object[] { "imagenet-rgb" };
        yield return new object[] { "imagenet-bgr" };
        yield return new object[] { "raw" };
        yield return new object[] { "mean-only-unscaled" };
    }

    [TestMethod]
    [DynamicData(nameof(Encodings))]
    public void TensorsEqualTheBruteForceOracleBitForBit(string encoding)
    {
        foreach ((int width, int height) in s_sizes)
        {
            byte[] file = Encode(encoding, width, height);
            foreach (object[] option in Options())
            {
                ImageTensorOptions options = Make((string)option[0]);
                ImageTensor tensor = new SegmentationImageLoader(options).Load(file);
                float[] expected = Oracle(file, options);
                AssertBitsEqual(expected, tensor.Data, $"{encoding} {width}x{height} {option[0]}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Encodings))]
    public void TensorsEqualTheTwoPassPathBitForBit(string encoding)
    {
        foreach ((int width, int height) in s_sizes)
        {
            byte[] file = Encode(encoding, width, height);
            foreach (object[] option in Options())
            {
                ImageTensorOptions options = Make((string)option[0]);
                ImageTensor tensor = new SegmentationImageLoader(options).Load(file);
                AssertBitsEqual(TwoPass(file, options), tensor.Data, $"{encoding} {width}x{height} {option[0]}");
            }
        }
    }

    [TestMethod]
    public void ExifOrientationIsStillHonouredOnTheDirectPath()
    {
        // Stored 20 wide and 37 high with orientation 6: upright it is 37 wide (two blocks and a tail per row).
        using Image<Rgb24> upright = TestImages.Gradient(37, 20);
        using Image<Rgb24> stored = upright.Clone(x => x.Rotate(RotateMode.Rotate270));
        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] file = TestImages.Encode(stored, new JpegEncoder { Quality = 95 });

        ImageTensorOptions options = ImageTensorOptions.ImageNet();
        ImageTensor tensor = new SegmentationImageLoader(options).Load(file);
        Assert.AreEqual(37, tensor.Width);
        Assert.AreEqual(20, tensor.Height);
        AssertBitsEqual(Oracle(file, options), tensor.Data, "orientation 6");

        ImageTensor unrotated = new SegmentationImageLoader(new ImageTensorOptions { AutoOrient = false }).Load(file);
        Assert.AreEqual(20, unrotated.Width);
    }

    [TestMethod]
    public void RowKernelMatchesScalarArithmeticForEveryLengthAndCoefficient()
    {
        var random = new Random(7);
        for (int length = 0; length <= 70; length++)
        {
            var pixels = new Rgb24[length];
            for (int i = 0; i < length; i++)
            {
                pixels[i] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }

            // Bytes 0 and 255 in every channel somewhere, so the widening's ends are covered.
            if (length > 1)
            {
                pixels[0] = new Rgb24(0, 255, 0);
                pixels[length - 1] = new Rgb24(255, 0, 255);
            }

            float[] multiplier = [(float)random.NextDouble() * 0.05f, 1f / 255f / 0.224f, -3.5f];
            float[] offset = [-0.485f / 0.229f, (float)random.NextDouble(), 0f];
            foreach (bool bgr in new[] { false, true })
            {
                var first = new float[length];
                var second = new float[length];
                var third = new float[length];
                PixelRows.ToNormalizedPlanes(pixels, first, second, third, bgr, multiplier, offset);
                for (int x = 0; x < length; x++)
                {
                    byte r = pixels[x].R, b = pixels[x].B;
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(((bgr ? b : r) * multiplier[0]) + offset[0]), BitConverter.SingleToInt32Bits(first[x]), $"length {length} x {x} channel 0 bgr {bgr}");
                    Assert.AreEqual(BitConverter.SingleToInt32Bits((pixels[x].G * multiplier[1]) + offset[1]), BitConverter.SingleToInt32Bits(second[x]), $"length {length} x {x} channel 1 bgr {bgr}");
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(((bgr ? r : b) * multiplier[2]) + offset[2]), BitConverter.SingleToInt32Bits(third[x]), $"length {length} x {x} channel 2 bgr {bgr}");
                }
            }
        }
    }

    [TestMethod]
    public void DecodedImageRegionsMatchTheWholeTensorOnTheDirectPath()
    {
        byte[] file = Encode("png-rgb", 53, 9);
        ImageTensorOptions options = ImageTensorOptions.ImageNet();
        var loader = new SegmentationImageLoader(options);
        ImageTensor whole = loader.Load(file);
        string path = Path.Combine(Path.GetTempPath(), $"segml-direct-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, file);
        try
        {
            using DecodedImage decoded = loader.LoadPixels(path);
            // 35 columns from column 3: two blocks and a tail, starting off a block boundary.
            var region = new float[3 * 4 * 35];
            decoded.ReadRegion(2, 3, 4, 35, region);
            for (int c = 0; c < 3; c++)
            {
                for (int r = 0; r < 4; r++)
                {
                    for (int x = 0; x < 35; x++)
                    {
                        Assert.AreEqual(BitConverter.SingleToInt32Bits(whole.Data[(((c * 9) + 2 + r) * 53) + 3 + x]), BitConverter.SingleToInt32Bits(region[(((c * 4) + r) * 35) + x]), $"c {c} r {r} x {x}");
                    }
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ImageTensorOptions Make(string name) => name switch
    {
        "imagenet-rgb" => ImageTensorOptions.ImageNet(),
        "imagenet-bgr" => new ImageTensorOptions { Mean = ImageTensorOptions.ImageNetMean, Std = ImageTensorOptions.ImageNetStd, ChannelOrder = ChannelOrder.Bgr },
        "raw" => new ImageTensorOptions { ScaleToUnit = false },
        "mean-only-unscaled" => new ImageTensorOptions { ScaleToUnit = false, Mean = [127.5f] },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown options"),
    };

    private static byte[] Encode(string encoding, int width, int height)
    {
        using Image<Rgb24> rgb = TestImages.Gradient(width, height);
        IImageEncoder png = new PngEncoder();
        switch (encoding)
        {
            case "png-rgb":
                return TestImages.Encode(rgb, png);
            case "png-rgba":
                using (Image<Rgba32> rgba = rgb.CloneAs<Rgba32>())
                {
                    rgba.ProcessPixelRows(rows =>
                    {
                        for (int y = 0; y < rows.Height; y++)
                        {
                            Span<Rgba32> row = rows.GetRowSpan(y);
                            for (int x = 0; x < row.Length; x++)
                            {
                                row[x].A = (byte)((x * 31) + y); // varied alpha, which the loader drops
                            }
                        }
                    });
                    return TestImages.Encode(rgba, png);
                }

            case "png-gray":
                using (Image<L8> gray = rgb.CloneAs<L8>())
                {
                    return TestImages.Encode(gray, new PngEncoder { ColorType = PngColorType.Grayscale });
                }

            case "png-rgb16":
                using (Image<Rgb48> deep = rgb.CloneAs<Rgb48>())
                {
                    deep.ProcessPixelRows(rows =>
                    {
                        for (int y = 0; y < rows.Height; y++)
                        {
                            Span<Rgb48> row = rows.GetRowSpan(y);
                            for (int x = 0; x < row.Length; x++)
                            {
                                row[x].G = (ushort)(row[x].G + (x * 97)); // low bytes that do not repeat the high ones
                            }
                        }
                    });
                    return TestImages.Encode(deep, new PngEncoder { BitDepth = PngBitDepth.Bit16 });
                }

            case "jpeg":
                return TestImages.Encode(rgb, new JpegEncoder { Quality = 90 });
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown encoding");
        }
    }

    /// <summary>ImageSharp's decode to Rgb24 (oriented), then the documented formula pixel by pixel, in plain float arithmetic.</summary>
    private static float[] Oracle(byte[] file, ImageTensorOptions options)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(file);
        if (options.AutoOrient)
        {
            image.Mutate(x => x.AutoOrient());
        }

        int width = image.Width, height = image.Height, plane = width * height;
        var result = new float[3 * plane];
        bool bgr = options.ChannelOrder == ChannelOrder.Bgr;
        float scale = options.ScaleToUnit ? 1f / 255f : 1f;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Rgb24 p = image[x, y];
                byte[] rgb = [p.R, p.G, p.B];
                for (int c = 0; c < 3; c++)
                {
                    int source = bgr ? 2 - c : c;
                    float mean = options.Mean is null ? 0f : options.Mean[options.Mean.Count == 1 ? 0 : source];
                    float std = options.Std is null ? 1f : options.Std[options.Std.Count == 1 ? 0 : source];
                    float multiplier = scale / std, offset = -mean / std;
                    result[(c * plane) + (y * width) + x] = (rgb[source] * multiplier) + offset;
                }
            }
        }

        return result;
    }

    /// <summary>The path the loader took before: raw rows into the planes, then the normalisation over the whole tensor.</summary>
    private static float[] TwoPass(byte[] file, ImageTensorOptions options)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(file);
        if (options.AutoOrient)
        {
            image.Mutate(x => x.AutoOrient());
        }

        int width = image.Width, plane = width * image.Height;
        var result = new float[3 * plane];
        bool bgr = options.ChannelOrder == ChannelOrder.Bgr;
        for (int y = 0; y < image.Height; y++)
        {
            Span<Rgb24> row = image.DangerousGetPixelRowMemory(y).Span;
            PixelRows.ToPlanes(row, result.AsSpan(y * width, width), result.AsSpan(plane + (y * width), width), result.AsSpan((2 * plane) + (y * width), width), bgr);
        }

        float scale = options.ScaleToUnit ? 1f / 255f : 1f;
        var multipliers = new float[3];
        var offsets = new float[3];
        for (int c = 0; c < 3; c++)
        {
            int source = bgr ? 2 - c : c;
            float mean = options.Mean is null ? 0f : options.Mean[options.Mean.Count == 1 ? 0 : source];
            float std = options.Std is null ? 1f : options.Std[options.Std.Count == 1 ? 0 : source];
            multipliers[c] = scale / std;
            offsets[c] = -mean / std;
        }

        new PixelNormalization(multipliers, offsets, bgr).ApplyToPlanes(result, plane);
        return result;
    }

    private static void AssertBitsEqual(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: value {i} is {actual[i]:R}, expected {expected[i]:R} (bit for bit)");
            }
        }
    }
}
