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
/// (<see cref="PredecodedScorer"/>), <c>segml eval</c> against a hand-written loop (<see cref="EndToEnd"/>), and tiled
/// inference on a large image against ONNX Runtime alone on the same windows (<see cref="TiledScoring"/>).
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
    public static readonly IReadOnlyList<string> Parts = ["decode", "paths", "predecoded", "eval", "stages", "tiled"];

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
                // Raw ONNX Runtime and SegML on the same pre-decoded tensors, batch by batch, their passes interleaved.
                foreach (int batch in s_batchSizes)
                {
                    using var rawPath = new RawOrtScorer(workload, model, batch, RawOrtMode.OrtValues);
                    using var segml = new PredecodedScorer(workload, model, batch);
                    MeasurePaired(output, workload, model, rawPath, segml, 2 * secondsPerPath);
                    if (batch > 1)
                    {
                        // The same pipeline with one run per batch on ONNX Runtime's threads, as the raw session runs.
                        using var oneRun = new PredecodedScorer(workload, model, batch, concurrentRuns: 1);
                        MeasurePaired(output, workload, model, rawPath, oneRun, 2 * secondsPerPath);
                    }
                }
            }
        }

        if (parts.Contains("eval"))
        {
            EndToEnd.Run(output, workload.ImageFolder, 2 * secondsPerPath);
        }

        if (parts.Contains("stages"))
        {
            EndToEnd.RunStages(output, workload.ImageFolder, secondsPerPath);
        }

        if (parts.Contains("tiled"))
        {
            TiledScoring.Run(output, workload, 4 * secondsPerPath);
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

    /// <summary>
    /// Times <paramref name="baseline"/> and <paramref name="path"/> pass by pass in alternating order (AB, BA, ...), so
    /// the drift of a shared machine hits both alike, and prints a line for each; <paramref name="path"/>'s line gives
    /// the median of the per-pair speed ratios (<c>vs_raw_ort_ortvalue</c>) and the number of pairs.
    /// </summary>
    private static void MeasurePaired(TextWriter output, ScoringWorkload workload, ScoringModel model, IScoringPath baseline, IScoringPath path, double seconds)
    {
        long baselineChecksum = baseline.ScoreAll(); // warm-up: JIT, ONNX Runtime's first-run allocations
        long checksum = path.ScoreAll();
        var baselineTimes = new List<double>();
        var times = new List<double>();
        var ratios = new List<double>();
        long allocated = 0, baselineAllocated = 0;
        var total = Stopwatch.StartNew();
        while (ratios.Count < 4 || (total.Elapsed.TotalSeconds < seconds && ratios.Count < 30))
        {
            double a = 0, b = 0;
            for (int turn = 0; turn < 2; turn++)
            {
                bool pathNow = (turn == 0) == (ratios.Count % 2 == 1);
                long before = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                long sum = pathNow ? path.ScoreAll() : baseline.ScoreAll();
                double elapsed = watch.Elapsed.TotalSeconds;
                if (pathNow)
                {
                    b = elapsed;
                    allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
                }
                else
                {
                    a = elapsed;
                    baselineAllocated += GC.GetTotalAllocatedBytes(precise: true) - before;
                }

                if (sum != (pathNow ? checksum : baselineChecksum))
                {
                    Console.Error.WriteLine($"scoring: {(pathNow ? path.Name : baseline.Name)} on {model.Name} predicted different masks between passes");
                }
            }

            baselineTimes.Add(a);
            times.Add(b);
            ratios.Add(a / b);
        }

        int images = workload.ImageCount;
        string Line(IScoringPath p, List<double> t, long bytes, string extra)
        {
            string allocation = string.Create(CultureInfo.InvariantCulture, $",\"managed_bytes_per_image\":{bytes / ((double)t.Count * images):F0}");
            t.Sort();
            double median = t[t.Count / 2];
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"path\":\"{p.Name}\",\"model\":\"{model.Name}\",\"batch\":{p.BatchSize},\"image\":\"{workload.Width}x{workload.Height}\",\"images\":{images},\"runs\":{t.Count},\"images_per_s\":{images / median:F2},\"best_images_per_s\":{images / t[0]:F2},\"ms_per_image\":{median * 1e3 / images:F2}{allocation}{extra},\"threads\":{Environment.ProcessorCount}}}");
        }

        ratios.Sort();
        output.WriteLine(Line(baseline, baselineTimes, baselineAllocated, string.Create(CultureInfo.InvariantCulture, $",\"mask_sum\":{baselineChecksum}")));
        output.WriteLine(Line(path, times, allocated, string.Create(CultureInfo.InvariantCulture,
            $",\"mask_sum\":{checksum},\"vs_raw_ort_ortvalue\":{ratios[ratios.Count / 2]:F3},\"pairs\":{ratios.Count}")));
    }

    /// <summary>Measures one path and prints its line; returns its images/s (median pass).</summary>
    private static double Measure(TextWriter output, ScoringWorkload workload, ScoringModel model, IScoringPath path, double seconds)
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
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"{path.Name}\",\"model\":\"{model.Name}\",\"batch\":{path.BatchSize},\"image\":\"{workload.Width}x{workload.Height}\",\"images\":{images},\"runs\":{times.Count},\"images_per_s\":{images / median:F2},\"best_images_per_s\":{images / best:F2},\"ms_per_image\":{median * 1e3 / images:F2},\"managed_bytes_per_image\":{allocated / ((double)times.Count * images):F0},\"mask_sum\":{checksum},\"threads\":{Environment.ProcessorCount}}}"));
        return images / median;
    }
}
