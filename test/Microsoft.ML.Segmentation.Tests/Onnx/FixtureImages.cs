using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// Test-only decoding for the fixtures, written independently of the library's imaging layer (a plain per-pixel
/// loop over ImageSharp's decoded pixels) so that the library's loader can be checked against it.
/// </summary>
internal static class FixtureImages
{
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// Loads an image as <c>[1,3,H',W']</c>: channels in RGB (or BGR) order, <c>(v/255 − mean)/std</c> with the ImageNet
    /// mean and std in RGB order, padded at the bottom and right with <paramref name="padValue"/> to a multiple of
    /// <paramref name="multiple"/>.
    /// </summary>
    public static (float[] Data, int Height, int Width) LoadNormalized(string path, bool bgr = false, int multiple = 1, byte padValue = 0)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        int height = RoundUp(image.Height, multiple);
        int width = RoundUp(image.Width, multiple);
        int plane = height * width;
        var data = new float[3 * plane];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Rgb24 pixel = y < image.Height && x < image.Width ? image[x, y] : new Rgb24(padValue, padValue, padValue);
                ReadOnlySpan<byte> rgb = [pixel.R, pixel.G, pixel.B];
                for (int c = 0; c < 3; c++)
                {
                    int source = bgr ? 2 - c : c;
                    data[(c * plane) + (y * width) + x] = ((rgb[source] / 255f) - ImageNetMean[source]) / ImageNetStd[source];
                }
            }
        }

        return (data, height, width);
    }

    /// <summary>Loads an 8-bit grayscale image as integers, row-major.</summary>
    public static (int[] Values, int Height, int Width) LoadGray(string path)
    {
        using Image<L8> image = Image.Load<L8>(path);
        var values = new int[image.Height * image.Width];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                values[(y * image.Width) + x] = image[x, y].PackedValue;
            }
        }

        return (values, image.Height, image.Width);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
