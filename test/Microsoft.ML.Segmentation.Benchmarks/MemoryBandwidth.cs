using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// The memory-bandwidth bound of a kernel that reads its input once and writes a same-sized output once: one pass
/// that reads a float buffer and writes another of the same size, in blocks on the thread pool like the kernels,
/// with ordinary stores (the kernels' stores also pay for reading the destination line first).
/// </summary>
internal static class MemoryBandwidth
{
    private const int BlockFloats = 1 << 16;

    /// <summary>Returns (median seconds of one pass, bytes moved per pass = read + written).</summary>
    public static (double Seconds, long Bytes) Measure(int floats, double seconds)
    {
        (Action pass, long bytes) = CreatePass(floats);
        return (PassTiming.MedianSeconds(pass, seconds, warmups: 3, minimumPasses: 5), bytes);
    }

    /// <summary>One streaming pass over buffers of <paramref name="floats"/> floats (allocated here, once), and the bytes it moves.</summary>
    public static (Action Pass, long Bytes) CreatePass(int floats)
    {
        var source = new float[floats];
        var destination = new float[floats];
        source.AsSpan().Fill(1.5f);
        int blocks = (floats + BlockFloats - 1) / BlockFloats;
        void Pass() => Parallel.For(0, blocks, b =>
        {
            int start = b * BlockFloats;
            int length = Math.Min(BlockFloats, floats - start);
            Scale(source.AsSpan(start, length), destination.AsSpan(start, length));
        });

        return (Pass, 2L * floats * sizeof(float));
    }

    /// <summary>destination = 0.5·source: a load, a multiply and a store per vector, so the pass is memory-bound.</summary>
    private static void Scale(ReadOnlySpan<float> source, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> s = MemoryMarshal.Cast<float, Vector<float>>(source);
            Span<Vector<float>> d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            var half = new Vector<float>(0.5f);
            for (int v = 0; v < s.Length; v++)
            {
                d[v] = s[v] * half;
            }

            i = s.Length * Vector<float>.Count;
        }

        for (; i < source.Length; i++)
        {
            destination[i] = 0.5f * source[i];
        }
    }
}
