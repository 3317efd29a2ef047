using System.Globalization;
using Microsoft.ML.Segmentation.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Decode throughput, single-threaded on both sides: SegML's <see cref="SegmentationImageLoader"/> (file read, the
/// header and truncation guards, decode, EXIF orientation, ImageNet normalisation into CHW floats: what LoadImages does
/// per image) against the least a user writes with ImageSharp, <c>Image.Load&lt;Rgb24&gt;</c> and a copy of the pixels
/// into a float CHW buffer (no normalisation). Both read the workload's PNGs, and the same pictures saved as JPEG
/// (quality 90), written beside them once; and the loader's previous two-pass row path (<c>decode_two_pass</c>), for
/// the before/after of decoding straight into normalised planes.
/// </summary>
internal static class DecodeThroughput
{
    public const int JpegQuality = 90;

    public static void Run(TextWriter output, ScoringWorkload workload, double secondsPerPath)
    {
        string[] jpegs = WriteJpegs(workload);
        foreach ((string format, string[] files) in new[] { ("png", workload.ImagePaths), ("jpeg", jpegs) })
        {
            var loader = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
            var destination = new float[workload.ImageLength];
            double segml = Measure(() =>
            {
                foreach (string file in files)
                {
                    loader.Load(file, destination);
                }
            }, secondsPerPath);
            var twoPass = new TwoPassLoader(ImageTensorOptions.ImageNet());
            double before = Measure(() =>
            {
                foreach (string file in files)
                {
                    twoPass.Load(file, destination);
                }
            }, secondsPerPath);
            double imageSharp = Measure(() =>
            {
                foreach (string file in files)
                {
                    ImageSharpLoad(file, destination);
                }
            }, secondsPerPath);
            // The part of SegML's decode spent in its guards alone (header identify, pixel limit, truncation check).
            double guards = Measure(() =>
            {
                foreach (string file in files)
                {
                    ImageDecoding.CheckBeforeDecoding(File.ReadAllBytes(file), file, ImageDecoding.DefaultMaxPixels);
                }
            }, secondsPerPath);
            double megapixels = files.Length * (double)workload.Width * workload.Height / 1e6;
            Write(output, "decode", format, workload, files.Length, megapixels, segml, string.Create(CultureInfo.InvariantCulture, $",\"vs_imagesharp_load\":{imageSharp / segml:F2},\"vs_decode_two_pass\":{before / segml:F2}"));
            Write(output, "decode_two_pass", format, workload, files.Length, megapixels, before, string.Empty);
            Write(output, "decode_guards", format, workload, files.Length, megapixels, guards, string.Empty);
            Write(output, "imagesharp_load", format, workload, files.Length, megapixels, imageSharp, string.Empty);
        }
    }

    /// <summary>
    /// The loader as it was before rows went straight into normalised planes: the same guards and decode, raw rows into
    /// the planes, then the normalisation as passes over the whole tensor (the path padded images still take).
    /// </summary>
    private sealed class TwoPassLoader(ImageTensorOptions options)
    {
        private readonly PixelNormalization _normalization = new(
            [1f / 255f / options.Std![0], 1f / 255f / options.Std[1], 1f / 255f / options.Std[2]],
            [-options.Mean![0] / options.Std[0], -options.Mean[1] / options.Std[1], -options.Mean[2] / options.Std[2]],
            bgr: false);

        public void Load(string file, float[] destination)
        {
            using Image<Rgb24> image = ImageDecoding.Load<Rgb24>(File.ReadAllBytes(file), file, ImageDecoding.DefaultMaxPixels);
            image.Mutate(x => x.AutoOrient());
            int width = image.Width, plane = image.Width * image.Height;
            for (int y = 0; y < image.Height; y++)
            {
                Span<Rgb24> row = image.DangerousGetPixelRowMemory(y).Span;
                PixelRows.ToPlanes(row, destination.AsSpan(y * width, width), destination.AsSpan(plane + (y * width), width), destination.AsSpan((2 * plane) + (y * width), width), bgr: false);
            }

            _normalization.ApplyToPlanes(destination.AsSpan(0, 3 * plane), plane);
        }
    }

    /// <summary>A user's minimum: decode, then each pixel's R, G, B into three float planes.</summary>
    private static void ImageSharpLoad(string file, float[] destination)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(file);
        int width = image.Width, plane = image.Width * image.Height;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    int i = (y * width) + x;
                    destination[i] = row[x].R;
                    destination[plane + i] = row[x].G;
                    destination[(2 * plane) + i] = row[x].B;
                }
            }
        });
    }

    private static string[] WriteJpegs(ScoringWorkload workload)
    {
        var encoder = new JpegEncoder { Quality = JpegQuality };
        return workload.ImagePaths.Select(png =>
        {
            string jpeg = Path.ChangeExtension(png, ".jpg");
            using Image<Rgb24> image = Image.Load<Rgb24>(png);
            image.SaveAsJpeg(jpeg, encoder);
            return jpeg;
        }).ToArray();
    }

    /// <summary>Median seconds per pass after one warm-up pass, over at least 3 passes or about <paramref name="seconds"/>.</summary>
    private static double Measure(Action pass, double seconds) => PassTiming.MedianSeconds(pass, seconds);

    private static void Write(TextWriter output, string path, string format, ScoringWorkload workload, int files, double megapixels, double seconds, string extra)
        => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"{path}\",\"format\":\"{format}\",\"image\":\"{workload.Width}x{workload.Height}\",\"images\":{files},\"threads\":1,\"mpix_per_s\":{megapixels / seconds:F1},\"ms_per_image\":{seconds * 1e3 / files:F3}{extra}}}"));
}
