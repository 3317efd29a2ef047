using BenchmarkDotNet.Attributes;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Raw ONNX Runtime against SegML's pipeline per batch size (<c>--filter *ScoringBenchmarks*</c>). One operation is
/// one image (decode where the path decodes, score, argmax); the allocation column is managed bytes per image.
/// Until SegML's ScoreOnnx batches, its rows for batch sizes above 1 measure one row per ONNX Runtime call.
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private ScoringWorkload? _workload;
    private IScoringPath? _path;

    public static IEnumerable<string> Models => ScoringWorkload.ModelNames();

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = ScoringWorkload.ConvNetName;

    [Params(ScoringPathKind.RawOrtValues, ScoringPathKind.RawOrtRun, ScoringPathKind.Segml)]
    public ScoringPathKind Path { get; set; }

    [Params(1, 2, 4, 8)]
    public int Batch { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new ScoringWorkload();
        _path = ScoringPaths.Create(Path, _workload, _workload.Model(Model), Batch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _path?.Dispose();
        _workload?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = ScoringWorkload.DefaultImageCount)]
    public long Score() => _path!.ScoreAll();
}
