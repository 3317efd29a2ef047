using BenchmarkDotNet.Attributes;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// The Euclidean distance transform of a random mask at 256², 512² and 1024² (linear in pixels: the time per pixel
/// should stay flat until the mask outgrows the cache), and HD95 of every class of a pair of 512×512 label maps with
/// 5 classes (discs, prediction shifted by a few pixels; it does not depend on <see cref="Size"/>).
/// </summary>
[MemoryDiagnoser]
public class BoundaryBenchmarks
{
    private const int MapSize = 512;
    private const int Classes = 5;
    private byte[] _mask = null!;
    private double[] _distances = null!;
    private int[] _truth = null!;
    private int[] _predicted = null!;
    private byte[] _truthMask = null!;
    private byte[] _predictedMask = null!;
    private readonly BoundaryMetricOptions _hd95 = new() { Percentile = 95 };

    /// <summary>Gets or sets the side of the square mask of the distance-transform benchmark.</summary>
    [Params(256, 512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _mask = new byte[Size * Size];
        for (int i = 0; i < _mask.Length; i++)
        {
            _mask[i] = random.NextDouble() < 0.995 ? (byte)1 : (byte)0;
        }

        _distances = new double[_mask.Length];
        _truth = LabelMap(0);
        _predicted = LabelMap(3);
        _truthMask = new byte[MapSize * MapSize];
        _predictedMask = new byte[MapSize * MapSize];
    }

    [Benchmark]
    public double EuclideanDistanceTransform()
    {
        Kernels.EuclideanDistanceTransform.Compute(_mask, Size, Size, _distances);
        return _distances[0];
    }

    [Benchmark]
    public double Hd95FiveClasses512()
    {
        double sum = 0;
        for (int c = 0; c < Classes; c++)
        {
            BoundaryMetrics.ClassMask(_truth, c, _truthMask);
            BoundaryMetrics.ClassMask(_predicted, c, _predictedMask);
            sum += BoundaryMetrics.HausdorffDistance(_predictedMask, _truthMask, [MapSize, MapSize], _hd95);
        }

        return sum;
    }

    private static int[] LabelMap(int shift)
    {
        var map = new int[MapSize * MapSize];
        (int Y, int X, int R)[] discs = [(120, 130, 80), (350, 140, 100), (200, 380, 90), (420, 400, 60)];
        for (int y = 0; y < MapSize; y++)
        {
            for (int x = 0; x < MapSize; x++)
            {
                for (int k = 0; k < discs.Length; k++)
                {
                    int dy = y - discs[k].Y - shift, dx = x - discs[k].X + shift;
                    if ((dy * dy) + (dx * dx) <= discs[k].R * discs[k].R)
                    {
                        map[(y * MapSize) + x] = k + 1;
                    }
                }
            }
        }

        return map;
    }
}
