using System.Globalization;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// A one-minute check outside BenchmarkDotNet: the kernels run until the tiered JIT is done with them (<see cref="JitWarmUp"/>),
/// then each repeatedly for about a second;
/// prints one JSON line per kernel with the median time, Mpixel/s and the SIMD tier it ran on, so figures can be
/// compared with another tool measured in the same run on the same machine. The first line is the memory bandwidth
/// of a streaming read+write pass over CE's byte volume, the second how much faster compute-bound code runs on all
/// cores than on one (<see cref="ComputeScaling"/>: less than the core count on an oversubscribed VM); the kernels that read the logits once and write the
/// gradient once (cross-entropy, focal) also report the fraction of that bandwidth they reach: against the first
/// line, and paired, from passes of the kernel and of the bandwidth loop timed in alternation (the first line's
/// bandwidth moved 1.7× within minutes on a shared VM, and with it a fraction taken against it; alternating, neither
/// finds its data in the last-level cache from its own previous pass, where back-to-back passes of 88 MB partly do).
/// </summary>
public static class QuickBenchmark
{
    /// <summary>Kernels that ideally touch each logit once and each gradient element once.</summary>
    private static readonly HashSet<string> StreamingKernels = ["cross_entropy", "focal", "focal_masked", "focal_confident", "cross_entropy_confident"];

    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="secondsPerKernel">About how long each kernel is timed.</param>
    /// <param name="only">The kernels to time (<c>--kernels a,b</c>), or null for all.</param>
    public static void Run(TextWriter output, double secondsPerKernel = 1.0, IReadOnlyCollection<string>? only = null)
    {
        var workload = new BenchmarkWorkload();
        var kernels = BenchmarkWorkload.Losses.Keys
            .Select(name => (Name: name, Run: (Action)(() => workload.ForwardBackward(name))))
            .Concat(ExtraKernels.Create(workload))
            .Where(k => only is null || only.Contains(k.Name))
            .ToList();
        if (only is not null && kernels.Count != only.Count)
        {
            string known = string.Join(", ", BenchmarkWorkload.Losses.Keys.Concat(ExtraKernels.Create(workload).Select(k => k.Name)));
            throw new ArgumentException($"--kernels names an unknown kernel; known: {known}.", nameof(only));
        }

        (Action bandwidthPass, long bandwidthBytes) = MemoryBandwidth.CreatePass(workload.Shape.ElementCount);
        double bandwidthSeconds = PassTiming.MedianSeconds(bandwidthPass, secondsPerKernel, warmups: 3, minimumPasses: 5);
        double bandwidth = bandwidthBytes / bandwidthSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kernel\":\"memory_bandwidth\",\"shape\":\"{workload.Shape}\",\"dtype\":\"float32\",\"bytes\":{bandwidthBytes},\"median_ms\":{bandwidthSeconds * 1e3:F2},\"gb_per_s\":{bandwidth / 1e9:F2},\"simd\":\"{SimdTier.VectorOfT}\",\"threads\":{Environment.ProcessorCount}}}"));

        (double oneThread, double allThreads, int threads) = ComputeScaling.Measure(secondsPerKernel);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kernel\":\"compute_scaling\",\"one_thread_ms\":{oneThread * 1e3:F2},\"all_threads_ms\":{allThreads * 1e3:F2},\"parallel_speedup\":{threads * oneThread / allThreads:F2},\"simd\":\"{SimdTier.VectorOfT}\",\"threads\":{threads}}}"));

        // Tiered JIT: time the code a long-running application ends up with, not the first tiers (JitWarmUp).
        JitWarmUp.UntilSteady(kernels.Select(k => k.Run).ToList());

        foreach ((string name, Action run) in kernels)
        {
            Measure(output, name, workload.ShapeOf(name), secondsPerKernel, run, StreamingKernels.Contains(name) ? (bandwidth, bandwidthPass, bandwidthBytes) : null);
        }
    }

    private static void Measure(TextWriter output, string name, SegmentationShape shape, double seconds, Action action, (double BytesPerSecond, Action Pass, long Bytes)? bandwidth)
    {
        List<double> times = PassTiming.Seconds(action, seconds);
        double median = PassTiming.Median(times) * 1e3;

        // Logits read once and gradient written once: C·4·2 bytes per pixel. Against the first line; then per pair of
        // passes timed in alternation (the kernel's bytes/s over the bandwidth loop's): the median and the range.
        string fraction = string.Empty;
        if (bandwidth is (double bytesPerSecond, Action pass, long bytes))
        {
            double kernelBytes = 2.0 * shape.ElementCount * sizeof(float);
            List<double> paired = PassTiming.Pairs(action, pass, seconds)
                .Select(p => kernelBytes / p.First / (bytes / p.Second))
                .Order()
                .ToList();
            fraction = string.Create(CultureInfo.InvariantCulture,
                $",\"bandwidth_fraction\":{kernelBytes / (median / 1e3) / bytesPerSecond:F3},\"bandwidth_fraction_paired\":{PassTiming.Median(paired):F3},\"paired_range\":[{paired[0]:F3},{paired[^1]:F3}]");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kernel\":\"{name}\",\"shape\":\"{shape}\",\"dtype\":\"float32\",\"runs\":{times.Count},\"median_ms\":{median:F3},\"mpixel_per_s\":{shape.PixelCount / median / 1e3:F2},\"simd\":\"{SimdTier.Of(name)}\"{fraction},\"threads\":{Environment.ProcessorCount}}}"));
    }
}
