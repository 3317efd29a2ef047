using System.Text.Json;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>A run as one JSON document for scripts: the totals and one <c>{file, id, status, message}</c> per case.</summary>
internal static class GoldenSummaryJson
{
    public static string Write(GoldenSummary summary) => JsonSerializer.Serialize(new
    {
        passed = summary.Passed,
        failed = summary.Failed,
        unsupported = summary.Unsupported,
        cases = summary.Results.Select(r => new
        {
            file = r.File,
            id = r.CaseId,
            status = r.Outcome.Status.ToString().ToLowerInvariant(),
            message = r.Outcome.Message,
        }),
    });
}
