using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// A one-minute check outside BenchmarkDotNet: each kernel runs once to warm up, then repeatedly for about a second;
/// prints one JSON line per kernel with the median time and Mpixel/s, so figures can be compared with another tool
/// measured in the same run on the same machine.
/// </summary>
public static class QuickBenchmark
{
    public static void Run(TextWriter output, double secondsPerKernel = 1.0)
    {
        var workload = new BenchmarkWorkload();
        var kernels = BenchmarkWorkload.Losses.Keys
            .Select(name => (Name: name, Run: (Action)(() => workload.ForwardBackward(name))))
            .Concat(ExtraKernels.Create(workload))
            .ToList();

        // Tiered JIT: the vector helpers all kernels share start unoptimized. Run everything a few times and give
        // the background compiler a moment, so the first kernel measured is not charged for everyone's warm-up.
        for (int round = 0; round < 3; round++)
        {
            kernels.ForEach(k => k.Run());
            Thread.Sleep(200);
        }

        foreach ((string name, Action run) in kernels)
        {
            Measure(output, name, workload.ShapeOf(name), secondsPerKernel, run);
        }
    }

    private static void Measure(TextWriter output, string name, SegmentationShape shape, double seconds, Action action)
    {
        action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || (total.Elapsed.TotalSeconds < seconds && times.Count < 50))
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        double median = times[times.Count / 2];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kernel\":\"{name}\",\"shape\":\"{shape}\",\"dtype\":\"float32\",\"runs\":{times.Count},\"median_ms\":{median:F2},\"mpixel_per_s\":{shape.PixelCount / median / 1e3:F2},\"threads\":{Environment.ProcessorCount}}}"));
    }
}
