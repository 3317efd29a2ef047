using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// <c>segml eval</c> itself, run in-process through the command's entry (<c>EvalCommand.Run</c>, as <c>segml</c>'s
/// Main calls it) with <c>--manifest … --json -</c>: model loading, the catalog's LoadImages → LoadMasks → ScoreOnnx →
/// PredictMasks (→ ComputeLosses: eval adds the per-image cross-entropy for multi-class logits) read by the evaluation
/// loop, and the JSON document, whose confusion matrix is returned. <paramref name="extraArguments"/> are appended
/// (<c>--concurrent-runs 1</c> for the A/B against the default).
/// </summary>
internal sealed class SegmlEvalPath(EvalDataset dataset, params string[] extraArguments)
{
    private readonly string[] _args = [.. dataset.EvalArguments(), .. extraArguments];

    /// <summary>Runs the command once; the confusion counts, rows truth and columns prediction, row-major.</summary>
    /// <exception cref="InvalidOperationException">The command failed (its stderr is in the message).</exception>
    public long[] Run()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = EvalCommand.Run(_args, stdout, stderr);
        if (code != 0)
        {
            throw new InvalidOperationException($"segml eval {string.Join(' ', _args)} exited with {code}: {stderr}");
        }

        using JsonDocument document = JsonDocument.Parse(stdout.ToString());
        return document.RootElement.GetProperty("confusionMatrix").EnumerateArray()
            .SelectMany(row => row.EnumerateArray().Select(v => v.GetInt64())).ToArray();
    }
}
