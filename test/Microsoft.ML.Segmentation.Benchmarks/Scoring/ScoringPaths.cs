namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>Makes a scoring path by kind, for the BenchmarkDotNet suites (whose parameters must be public types).</summary>
internal static class ScoringPaths
{
    public static IScoringPath Create(ScoringPathKind kind, ScoringWorkload workload, ScoringModel model, int batchSize) => kind switch
    {
        ScoringPathKind.RawOrtValues => new RawOrtScorer(workload, model, batchSize, RawOrtMode.OrtValues),
        ScoringPathKind.RawOrtRun => new RawOrtScorer(workload, model, batchSize, RawOrtMode.PlainRun),
        ScoringPathKind.Segml => new SegmlScorer(workload, model, batchSize),
        ScoringPathKind.StockMlNet => batchSize == 1
            ? new StockMlNetScorer(workload, model)
            : throw new ArgumentOutOfRangeException(nameof(batchSize), "Stock ML.NET scores one row per call."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
