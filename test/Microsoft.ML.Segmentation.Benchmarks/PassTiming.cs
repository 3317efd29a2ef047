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

    /// <summary>
    /// Seconds of <paramref name="first"/> and <paramref name="second"/> timed in alternation, pair by pair (the first
    /// of each pair alternating too), for about the given seconds: on a machine whose speed drifts, the ratio within
    /// a pair is steadier than the ratio of two medians taken apart.
    /// </summary>
    public static List<(double First, double Second)> Pairs(Action first, Action second, double seconds, int warmups = 1, int minimumPairs = 5)
    {
        for (int i = 0; i < warmups; i++)
        {
            first();
            second();
        }

        var pairs = new List<(double, double)>();
        var total = Stopwatch.StartNew();
        while (pairs.Count < minimumPairs || (total.Elapsed.TotalSeconds < seconds && pairs.Count < MaximumPasses))
        {
            bool firstFirst = pairs.Count % 2 == 0;
            double a = firstFirst ? Time(first) : 0, b = Time(second);
            if (!firstFirst)
            {
                a = Time(first);
            }

            pairs.Add((a, b));
        }

        return pairs;
    }

    /// <summary>The median of <see cref="Seconds"/>.</summary>
    public static double MedianSeconds(Action pass, double seconds, int warmups = 1, int minimumPasses = 3)
        => Median(Seconds(pass, seconds, warmups, minimumPasses));

    private static double Time(Action pass)
    {
        var watch = Stopwatch.StartNew();
        pass();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The median of sorted times (the upper one of an even count).</summary>
    public static double Median(List<double> sorted) => sorted[sorted.Count / 2];
}
