using BenchmarkDotNet.Attributes;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>Forward + backward of each loss on float32 [8, 21, 256, 256] logits (524,288 pixels per call).</summary>
[MemoryDiagnoser]
public class LossBenchmarks
{
    private BenchmarkWorkload _workload = null!;

    [ParamsSource(nameof(Names))]
    public string Loss { get; set; } = "cross_entropy";

    public static IEnumerable<string> Names => BenchmarkWorkload.Losses.Keys;

    [GlobalSetup]
    public void Setup() => _workload = new BenchmarkWorkload();

    [Benchmark]
    public double ForwardBackward() => _workload.ForwardBackward(Loss);
}
