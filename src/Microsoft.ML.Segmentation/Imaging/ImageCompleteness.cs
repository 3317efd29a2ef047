using System;
using System.IO;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Refuses a file whose pixel data ends before the image does. ImageSharp 2.1.13 decodes such files without error for
/// PNG (when the data spans several IDAT chunks), JPEG, BMP, GIF, TGA and PBM, and fills the missing pixels with zeros
/// (measured: for each format, every cut position of an encoded image): a truncated mask then becomes a plausible
/// region of class 0 and a truncated photo a black band, so a metric over them is wrong with no error. Each check reads
/// only the container's structure and counts the pixel data present against what the header declares; it never trusts
/// the decoder's output. TIFF (strip offsets past the end) and WebP fail or decode whole in ImageSharp and need none.
/// </summary>
internal static class ImageCompleteness
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when its pixel data is cut short.</summary>
    public static void Check(ReadOnlySpan<byte> data, IImageFormat? format, string source)
    {
        string? missing = format switch
        {
            PngFormat => PngCompleteness.FindMissing(data),
            JpegFormat => JpegCompleteness.FindMissing(data),
            BmpFormat => BmpCompleteness.FindMissing(data),
            GifFormat => GifCompleteness.FindMissing(data),
            TgaFormat => TgaCompleteness.FindMissing(data),
            PbmFormat => NetpbmCompleteness.FindMissing(data),
            _ => null,
        };
        if (missing is not null)
        {
            throw new InvalidDataException(
                $"'{source}' is truncated or incomplete: {missing}. The decoder would fill the missing pixels with zeros, so the file is refused; copy or export it again.");
        }
    }
}
