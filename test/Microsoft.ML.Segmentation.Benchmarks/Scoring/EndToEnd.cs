using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// <c>segml eval</c> end to end against a hand-written sequential loop (<see cref="HandwrittenLoop"/>) on the same
/// image/mask pairs of a real model (<see cref="EvalDataset"/>): images/s of whole runs, session creation included on
/// both sides, and whether the two confusion matrices (so every metric derived from them, mIoU printed) agree.
/// </summary>
internal static class EndToEnd
{
    public static void Run(TextWriter output, string folder, double secondsPerPath)
        => ForEachDataset(folder, "segml_eval", (dataset, root) => Run(output, dataset, root, secondsPerPath));

    /// <summary>The single-threaded cost of each stage of both end-to-end paths (<see cref="StageCosts"/>), per set.</summary>
    public static void RunStages(TextWriter output, string folder, double secondsPerStage)
        => ForEachDataset(folder, "stage costs", (dataset, _) => StageCosts.Run(output, dataset, secondsPerStage));

    /// <summary>Each end-to-end set whose fixtures exist, with the folder its generated files go to.</summary>
    private static void ForEachDataset(string folder, string what, Action<EvalDataset, string> run)
    {
        string root = Path.Combine(folder, "..", "eval");
        foreach (EvalDataset? dataset in new[] { EvalDataset.LrAspp(root), EvalDataset.PaddleOcr(root) })
        {
            if (dataset is null)
            {
                Console.Error.WriteLine($"scoring: {what} skipped, ../shared/fixtures is absent (set SEGML_SHARED to the shared folder)");
                return;
            }

            run(dataset, root);
        }
    }

    private static void Run(TextWriter output, EvalDataset dataset, string root, double secondsPerPath)
    {
        // The first pair alone: a run of it is the setup (session creation, first run) plus one image.
        EvalDataset first = dataset.First(root);
        // The last two: segml eval with one run in flight (ONNX Runtime's own intra-op threads), the A/B of ConcurrentRuns.
        (double[] seconds, long[][] counts) = Measure([new HandwrittenLoop(dataset).Run, new SegmlEvalPath(dataset).Run, new HandwrittenLoop(first).Run, new SegmlEvalPath(first).Run, new SegmlEvalPath(dataset, "--concurrent-runs", "1").Run, new SegmlEvalPath(first, "--concurrent-runs", "1").Run], secondsPerPath);
        (double loopSeconds, double evalSeconds) = (seconds[0], seconds[1]);
        (long[] loopCounts, long[] evalCounts) = (counts[0], counts[1]);
        long differing = loopCounts.Zip(evalCounts, (a, b) => Math.Abs(a - b)).Sum() / 2; // each flipped pixel moves one count out of a cell and into another
        int images = dataset.Pairs.Count;
        string common = string.Create(CultureInfo.InvariantCulture, $"\"model\":\"{dataset.Name}\",\"images\":{images},\"threads\":{Environment.ProcessorCount}");
        // Steady state: the images after the first, without the setup a one-image run costs.
        double loopSteady = (images - 1) / (loopSeconds - seconds[2]), evalSteady = (images - 1) / (evalSeconds - seconds[3]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"handwritten_loop\",{common},\"images_per_s\":{images / loopSeconds:F2},\"steady_images_per_s\":{loopSteady:F2},\"one_image_run_ms\":{seconds[2] * 1e3:F0},\"miou\":{MeanIoU(loopCounts, dataset.Classes):F6}}}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"segml_eval\",{common},\"images_per_s\":{images / evalSeconds:F2},\"vs_handwritten_loop\":{loopSeconds / evalSeconds:F2},\"steady_images_per_s\":{evalSteady:F2},\"steady_vs_handwritten_loop\":{evalSteady / loopSteady:F2},\"one_image_run_ms\":{seconds[3] * 1e3:F0},\"miou\":{MeanIoU(evalCounts, dataset.Classes):F6},\"confusion_equal\":{(differing == 0 ? "true" : "false")},\"pixels_differing\":{differing},\"pixels\":{evalCounts.Sum()}}}"));
        double oneRunSeconds = seconds[4], oneRunSteady = (images - 1) / (oneRunSeconds - seconds[5]);
        long oneRunDiffering = counts[4].Zip(evalCounts, (a, b) => Math.Abs(a - b)).Sum() / 2;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"path\":\"segml_eval_one_run\",{common},\"args\":\"--concurrent-runs 1\",\"images_per_s\":{images / oneRunSeconds:F2},\"vs_handwritten_loop\":{loopSeconds / oneRunSeconds:F2},\"steady_vs_handwritten_loop\":{oneRunSteady / loopSteady:F2},\"default_vs_one_run\":{oneRunSeconds / evalSeconds:F2},\"confusion_equal_to_default\":{(oneRunDiffering == 0 ? "true" : "false")}}}"));
    }

    /// <summary>
    /// Median seconds per run of each of <paramref name="runs"/> after one warm-up run each, the runs taking turns (so a
    /// load burst from another process on a shared machine falls on all of them alike), at least 3 rounds or about
    /// <paramref name="seconds"/> per run; and the counts of each warm-up run (checked equal on every run).
    /// </summary>
    private static (double[] Seconds, long[][] Counts) Measure(Func<long[]>[] runs, double seconds)
    {
        long[][] counts = runs.Select(r => r()).ToArray();
        List<double>[] times = runs.Select(_ => new List<double>()).ToArray();
        var total = Stopwatch.StartNew();
        while (times[0].Count < 3 || (total.Elapsed.TotalSeconds < seconds * runs.Length && times[0].Count < 20))
        {
            for (int i = 0; i < runs.Length; i++)
            {
                var watch = Stopwatch.StartNew();
                long[] again = runs[i]();
                times[i].Add(watch.Elapsed.TotalSeconds);
                if (!again.AsSpan().SequenceEqual(counts[i]))
                {
                    Console.Error.WriteLine("scoring: an end-to-end path counted differently between runs");
                }
            }
        }

        return (times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray(), counts);
    }

    /// <summary>Macro mIoU over the classes present in truth or prediction, from counts rows truth, columns prediction.</summary>
    private static double MeanIoU(long[] counts, int classes)
    {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = counts[(c * classes) + c], row = 0, column = 0;
            for (int k = 0; k < classes; k++)
            {
                row += counts[(c * classes) + k];
                column += counts[(k * classes) + c];
            }

            long union = row + column - tp;
            if (union > 0)
            {
                sum += (double)tp / union;
                present++;
            }
        }

        return present == 0 ? double.NaN : sum / present;
    }
}
