using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Segmentation.Benchmarks.Scoring;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --memory N</c>: evaluates N generated 512×512 image–mask pairs through the whole pipeline
/// (LoadFromFolders → LoadImages → LoadMasks → ScoreOnnx → PredictMasks → Evaluate) and prints one JSON line with the
/// process's peak resident set. Run it once per N, each in its own process, so peaks do not mix; memory is bounded
/// when the peak at 2,000 images is within 1.1× the peak at 200.
/// </summary>
/// <remarks>
/// Encoding thousands of noisy 512² PNGs would take longer than the run itself, so a pool of
/// <see cref="PoolSize"/> distinct image–mask pairs is written and the N files of the folders are symbolic links to
/// them, each under its own name (LoadFromFolders pairs by name). The pipeline still opens and decodes every row's
/// files; only the page cache is shared. The model is a 1×1 convolution, so the run measures SegML's buffers rather
/// than the network.
/// </remarks>
internal static class MemoryBenchmark
{
    public const int PoolSize = 32;
    public const int Size = 512;
    private static readonly string[] ClassNames = ["background", "disc", "box"];

    public static int Run(int imageCount, TextWriter output)
    {
        string folder = Path.Combine(Path.GetTempPath(), "segml-memory-" + Guid.NewGuid().ToString("N"));
        try
        {
            var stopwatch = Stopwatch.StartNew();
            (string images, string masks, string model) = Generate(folder, imageCount);
            double generateSeconds = stopwatch.Elapsed.TotalSeconds;
            long baseline = PeakResidentBytes();

            stopwatch.Restart();
            SegmentationMetrics metrics = Evaluate(images, masks, model);
            double evaluateSeconds = stopwatch.Elapsed.TotalSeconds;
            long peak = PeakResidentBytes();
            output.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "memory",
                images = imageCount,
                size = Size,
                distinctImages = Math.Min(PoolSize, imageCount),
                evaluatedImages = metrics.ImageCount,
                meanIoU = metrics.MeanIoU,
                generateSeconds = Math.Round(generateSeconds, 1),
                evaluateSeconds = Math.Round(evaluateSeconds, 1),
                peakRssMiB = Math.Round(peak / 1048576.0, 1),
                peakRssBeforeEvaluateMiB = Math.Round(baseline / 1048576.0, 1),
                managedHeapMiB = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 1),
            }));
            return metrics.ImageCount == imageCount ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static SegmentationMetrics Evaluate(string images, string masks, string model)
    {
        var ml = new MLContext(seed: 1);
        SegmentationCatalog seg = ml.Segmentation();
        IDataView data = seg.LoadFromFolders(images, masks);
        ITransformer pipeline = seg.Transforms.LoadImages(options: ImageTensorOptions.ImageNet())
            .Append(seg.Transforms.LoadMasks(ClassNames))
            .Append(seg.Transforms.ScoreOnnx(model))
            .Append(seg.Transforms.PredictMasks(ClassNames))
            .Fit(data);
        try
        {
            return seg.Evaluate(pipeline.Transform(data));
        }
        finally
        {
            foreach (ITransformer stage in (IEnumerable<ITransformer>)pipeline)
            {
                (stage as IDisposable)?.Dispose();
            }
        }
    }

    private static (string Images, string Masks, string Model) Generate(string folder, int imageCount)
    {
        string pool = Path.Combine(folder, "pool");
        string images = Path.Combine(folder, "images");
        string masks = Path.Combine(folder, "masks");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(masks);
        int distinct = Math.Min(PoolSize, imageCount);
        string[] poolImages = SyntheticImages.Write(pool, distinct, Size, Size);
        var poolMasks = new string[distinct];
        var labels = new int[Size * Size];
        for (int i = 0; i < distinct; i++)
        {
            FillMask(new Random(i), labels);
            poolMasks[i] = Path.Combine(pool, $"mask_{i:D3}.png");
            MaskWriter.SaveIndexPng(labels, Size, Size, ClassNames.Length, poolMasks[i]);
        }

        for (int i = 0; i < imageCount; i++)
        {
            string name = $"sample_{i:D5}.png";
            File.CreateSymbolicLink(Path.Combine(images, name), poolImages[i % distinct]);
            File.CreateSymbolicLink(Path.Combine(masks, name), poolMasks[i % distinct]);
        }

        string model = Path.Combine(folder, "pixelwise.onnx");
        File.WriteAllBytes(model, GeneratedModels.PixelwiseNet(ClassNames.Length));
        return (images, masks, model);
    }

    /// <summary>A disc (class 1) and a box (class 2) on background, at random places.</summary>
    private static void FillMask(Random random, int[] labels)
    {
        Array.Clear(labels);
        int cx = random.Next(Size), cy = random.Next(Size), r = random.Next(20, Size / 4);
        int bx = random.Next(Size - 64), by = random.Next(Size - 64), bw = random.Next(32, 64);
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int dx = x - cx, dy = y - cy;
                labels[(y * Size) + x] = (dx * dx) + (dy * dy) < r * r ? 1 : x >= bx && x < bx + bw && y >= by && y < by + bw ? 2 : 0;
            }
        }
    }

    /// <summary>Peak resident set: Linux's VmHWM (exact, kernel-tracked), else the process's peak working set.</summary>
    private static long PeakResidentBytes()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status))
        {
            foreach (string line in File.ReadLines(Status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    // "VmHWM:    123456 kB"
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
