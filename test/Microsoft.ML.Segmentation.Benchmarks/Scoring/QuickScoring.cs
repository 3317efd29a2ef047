using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// <c>--quick-scoring</c>: raw ONNX Runtime, SegML's pipeline and stock ML.NET on the same PNG files and models, in one
/// process, printing one JSON line per path (model × path × batch size) so their ratios can be read off one run.
/// Each path is set up untimed, runs one warm-up pass over all images, then timed passes for about
/// <c>secondsPerPath</c>; images/s comes from the median pass (best_images_per_s from the fastest), managed bytes per
/// image from <c>GC.GetTotalAllocatedBytes</c> (all threads) over the timed passes; ONNX Runtime's native allocations
/// are not included. The other parts (<see cref="Parts"/>, chosen with <c>--parts</c>): decode throughput per format
/// (<see cref="DecodeThroughput"/>), SegML's scoring on pre-decoded tensors right after raw ONNX Runtime at each batch
/// (<see cref="PredecodedScorer"/>), and <c>segml eval</c> against a hand-written loop (<see cref="EndToEnd"/>).
/// </summary>
/// <remarks>
/// Paths run one after another, each disposed before the next is set up, as an application holds one session. Rounds
/// that interleaved all paths (every session alive) were tried to spread load bursts from other processes evenly, but
/// on 2 cores they slowed raw ONNX Runtime on the fixture by about 30% (cause not pinned down: not the workers' spin,
/// a pause did not help), which would skew exactly the ratios this mode is for.
/// </remarks>
public static class QuickScoring
{
    private static readonly int[] s_batchSizes = [1, 2, 4, 8];

    /// <summary>The parts <c>--parts</c> can name; all of them run by default.</summary>
    public static readonly IReadOnlyList<string> Parts = ["decode", "paths", "predecoded", "eval"];

    public static void Run(TextWriter output, double secondsPerPath = 2.0, IReadOnlyCollection<string>? parts = null)
    {
        parts ??= Parts;
        using var workload = new ScoringWorkload();
        Console.Error.WriteLine($"scoring: {workload.ImageCount} PNGs {workload.Width}x{workload.Height}, models {string.Join(", ", workload.Models.Select(m => m.Name))}; parts {string.Join(",", parts)}");
        if (parts.Contains("decode"))
        {
            DecodeThroughput.Run(output, workload, secondsPerPath);
        }

        foreach (ScoringModel model in workload.Models)
        {
            if (parts.Contains("paths"))
            {
                foreach (Func<IScoringPath> create in Paths(workload, model))
                {
                    using IScoringPath path = create();
                    Measure(output, workload, model, path, secondsPerPath);
                }
            }

            if (parts.Contains("predecoded"))
            {
                // Raw ONNX Runtime and SegML on the same pre-decoded tensors, batch by batch, one right after the other.
                foreach (int batch in s_batchSizes)
                {
                    double raw;
                    using (var rawPath = new RawOrtScorer(workload, model, batch, RawOrtMode.OrtValues))
                    {
                        raw = Measure(output, workload, model, rawPath, secondsPerPath);
                    }

                    using var segml = new PredecodedScorer(workload, model, batch);
                    Measure(output, workload, model, segml, secondsPerPath, raw);
                }
            }
        }

        if (parts.Contains("eval"))
        {
            EndToEnd.Run(output, workload.ImageFolder, 2 * secondsPerPath);
        }
    }

    private static IEnumerable<Func<IScoringPath>> Paths(ScoringWorkload workload, ScoringModel model)
    {
        foreach (int batch in s_batchSizes)
        {
            yield return () => new RawOrtScorer(workload, model, batch, RawOrtMode.OrtValues);
            yield return () => new RawOrtScorer(workload, model, batch, RawOrtMode.PlainRun);
        }

        foreach (int batch in s_batchSizes)
        {
            yield return () => new SegmlScorer(workload, model, batch);
            yield return () => new SegmlScorer(workload, model, batch, ioBinding: true);
        }

        yield return () => new StockMlNetScorer(workload, model);
    }

    /// <summary>Measures one path and prints its line; returns its images/s (median pass). With <paramref name="rawImagesPerSecond"/>, the line also gives the ratio to it.</summary>
    private static double Measure(TextWriter output, ScoringWorkload workload, ScoringModel model, IScoringPath path, double seconds, double? rawImagesPerSecond = null)
    {
        long checksum = path.ScoreAll(); // warm-up: JIT, ONNX Runtime's first-run allocations, file cache
        var times = new List<double>();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        while (times.Count < 2 || (total.Elapsed.TotalSeconds < seconds && times.Count < 30))
        {
            var watch = Stopwatch.StartNew();
            long sum = path.ScoreAll();
            times.Add(watch.Elapsed.TotalSeconds);
            if (sum != checksum)
            {
                Console.Error.WriteLine($"scoring: {path.Name} on {model.Name} predicted different masks between passes ({checksum} then {sum})");
            }
        }

        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        times.Sort();
        double median = times[times.Count / 2];
        double best = times[0]; // on a shared machine the fastest pass is the least disturbed one
        int images = workload.ImageCount;
        string ratio = rawImagesPerSecond is double raw ? string.Create(CultureInfo.InvariantCulture, $",\"vs_raw_ort_ortvalue\":{images / median / raw:F3}") : string.Empty;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"{path.Name}\",\"model\":\"{model.Name}\",\"batch\":{path.BatchSize},\"image\":\"{workload.Width}x{workload.Height}\",\"images\":{images},\"runs\":{times.Count},\"images_per_s\":{images / median:F2},\"best_images_per_s\":{images / best:F2},\"ms_per_image\":{median * 1e3 / images:F2},\"managed_bytes_per_image\":{allocated / ((double)times.Count * images):F0},\"mask_sum\":{checksum}{ratio},\"threads\":{Environment.ProcessorCount}}}"));
        return images / median;
    }
}
