namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>
/// Maps one upstream callable's parameters onto this project's options and runs a case through the library.
/// A handler never looks at a case's id or expected value to decide what to compute.
/// </summary>
internal interface IGoldenHandler
{
    /// <summary>Whether this handler understands the file's library and callable.</summary>
    bool CanRun(GoldenFile file);

    /// <summary>Runs one case; returns <see cref="GoldenOutcome.Unsupported"/> for parameters it cannot map.</summary>
    GoldenOutcome Run(GoldenCase testCase);
}
