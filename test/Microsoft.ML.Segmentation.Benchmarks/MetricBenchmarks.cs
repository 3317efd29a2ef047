using BenchmarkDotNet.Attributes;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>Argmax over 21 channels and the confusion matrix of the result, on float32 [8, 21, 256, 256] logits.</summary>
[MemoryDiagnoser]
public class MetricBenchmarks
{
    private BenchmarkWorkload _workload = null!;
    private int[] _predicted = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new BenchmarkWorkload();
        _predicted = new int[_workload.Shape.PixelCount];
    }

    [Benchmark]
    public long ArgmaxConfusion() => ExtraKernels.ArgmaxConfusion(_workload, _predicted);
}
