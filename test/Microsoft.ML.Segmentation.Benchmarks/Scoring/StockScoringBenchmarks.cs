using BenchmarkDotNet.Attributes;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// Stock ML.NET (LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel, then argmax) against SegML's pipeline
/// and raw ONNX Runtime, all one image per call (<c>--filter *StockScoringBenchmarks*</c>); SegML is the baseline of
/// the ratio column. One operation is one image.
/// </summary>
[MemoryDiagnoser]
public class StockScoringBenchmarks
{
    private ScoringWorkload? _workload;
    private IScoringPath? _raw;
    private IScoringPath? _segml;
    private IScoringPath? _stock;

    public static IEnumerable<string> Models => ScoringWorkload.ModelNames();

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = ScoringWorkload.ConvNetName;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new ScoringWorkload();
        ScoringModel model = _workload.Model(Model);
        _raw = ScoringPaths.Create(ScoringPathKind.RawOrtValues, _workload, model, 1);
        _segml = ScoringPaths.Create(ScoringPathKind.Segml, _workload, model, 1);
        _stock = ScoringPaths.Create(ScoringPathKind.StockMlNet, _workload, model, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _segml?.Dispose();
        _stock?.Dispose();
        _workload?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ScoringWorkload.DefaultImageCount)]
    public long Segml() => _segml!.ScoreAll();

    [Benchmark(OperationsPerInvoke = ScoringWorkload.DefaultImageCount)]
    public long RawOrt() => _raw!.ScoreAll();

    [Benchmark(OperationsPerInvoke = ScoringWorkload.DefaultImageCount)]
    public long StockMlNet() => _stock!.ScoreAll();
}
