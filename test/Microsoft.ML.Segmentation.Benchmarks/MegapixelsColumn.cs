using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>Throughput in megapixels per second: pixels per call (N·H·W) over the mean time of a call.</summary>
public sealed class MegapixelsColumn : IColumn
{
    private readonly double _pixelsPerCall;

    public MegapixelsColumn(double pixelsPerCall) => _pixelsPerCall = pixelsPerCall;

    public string Id => nameof(MegapixelsColumn);

    public string ColumnName => "Mpixel/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Megapixels (N·H·W) processed per second, from the mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        return statistics is null || benchmarkCase.Descriptor.Type == typeof(BoundaryBenchmarks) || IsScoring(benchmarkCase) ? "NA" : (_pixelsPerCall / statistics.Mean * 1e3).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    // The scoring suites measure one image per operation at their own size: the kernels' pixel count would mislead.
    private static bool IsScoring(BenchmarkCase benchmarkCase) => benchmarkCase.Descriptor.Type.Namespace == typeof(Scoring.ScoringBenchmarks).Namespace;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
