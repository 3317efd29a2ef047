namespace LossComparison;

/// <summary>Everything one comparison measured, as written to results.json.</summary>
public sealed record ComparisonResult(
    ComparisonSettings Settings,
    IReadOnlyList<string> ClassNames,
    double[] TrainFractions,
    double[] TestFractions,
    double ExtractionSeconds,
    IReadOnlyList<LossRun> Runs);
