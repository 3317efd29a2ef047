using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// How much faster the machine runs compute-bound vector code on all its cores than on one, in this run: the same
/// fixed amount of multiply-adds per item (registers only, no memory traffic), one item on one thread against one item
/// per core at once. On a dedicated machine the speedup is the core count; on a shared VM whose cores are
/// oversubscribed it is less, and it bounds what a parallel kernel's figures (and its <c>bandwidth_fraction</c>) can
/// reach there.
/// </summary>
internal static class ComputeScaling
{
    private const int Iterations = 4_000_000;

    /// <summary>Returns (median seconds of one item alone, median seconds of one item per core at once, cores).</summary>
    public static (double OneThread, double AllThreads, int Threads) Measure(double seconds)
    {
        int threads = Environment.ProcessorCount;
        double one = PassTiming.MedianSeconds(() => Work(Iterations), seconds / 2, warmups: 2);
        double all = PassTiming.MedianSeconds(() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Work(Iterations)), seconds / 2, warmups: 2);
        return (one, all, threads);
    }

    /// <summary>Eight independent multiply-add chains, so the loop runs at the FMA units' throughput, not their latency.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Work(int iterations)
    {
        Vector<float> a = Vector<float>.One, b = a, c = a, d = a, e = a, f = a, g = a, h = a;
        var m = new Vector<float>(0.999f);
        var k = new Vector<float>(0.001f);
        for (int i = 0; i < iterations; i++)
        {
            a = Vector.MultiplyAddEstimate(a, m, k);
            b = Vector.MultiplyAddEstimate(b, m, k);
            c = Vector.MultiplyAddEstimate(c, m, k);
            d = Vector.MultiplyAddEstimate(d, m, k);
            e = Vector.MultiplyAddEstimate(e, m, k);
            f = Vector.MultiplyAddEstimate(f, m, k);
            g = Vector.MultiplyAddEstimate(g, m, k);
            h = Vector.MultiplyAddEstimate(h, m, k);
        }

        return Vector.Sum(a + b + c + d + e + f + g + h);
    }
}
