using System.Diagnostics;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// The quick modes' timing loop: warm-up passes (JIT, caches, first-run allocations), then timed passes, at least a
/// few and otherwise for about the given seconds (at most 50), summarised by the median so one slow pass on a shared
/// machine does not move the figure.
/// </summary>
internal static class PassTiming
{
    private const int MaximumPasses = 50;

    /// <summary>Seconds of each timed pass of <paramref name="pass"/>, sorted.</summary>
    public static List<double> Seconds(Action pass, double seconds, int warmups = 1, int minimumPasses = 3)
    {
        for (int i = 0; i < warmups; i++)
        {
            pass();
        }

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minimumPasses || (total.Elapsed.TotalSeconds < seconds && times.Count < MaximumPasses))
        {
            var watch = Stopwatch.StartNew();
            pass();
            times.Add(watch.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times;
    }

    /// <summary>The median of <see cref="Seconds"/>.</summary>
    public static double MedianSeconds(Action pass, double seconds, int warmups = 1, int minimumPasses = 3)
        => Median(Seconds(pass, seconds, warmups, minimumPasses));

    /// <summary>The median of sorted times (the upper one of an even count).</summary>
    public static double Median(List<double> sorted) => sorted[sorted.Count / 2];
}
