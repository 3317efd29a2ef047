using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml merge</c>: merges the states that <c>segml eval --shard i/n --state part.json</c> wrote and prints (and
/// optionally saves) the metrics exactly as one <c>segml eval</c> over the whole dataset would. Every shard 0..n−1 must
/// be there exactly once (a duplicate would count images twice; a missing one is an error unless --allow-incomplete).
/// </summary>
internal static class MergeCommand
{
    public const string Synopsis = "segml merge part0.json part1.json … [--json out.json|-] [options]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("json", "out.json|-", "Also write the metrics as JSON, the same document as 'segml eval --json'; '-' writes it to stdout in place of the text report."),
        new("allow-incomplete", null, "Merge even when shards are missing (a warning names them); the metrics then cover only the shards given."),
        .. CommonOptions.Specs,
    ];

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        ParsedOptions options;
        List<string> files;
        try
        {
            (List<string> optionArgs, files) = SplitPositional(args);
            options = ParsedOptions.Parse(optionArgs, Specs);
            if (options.Has("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            if (files.Count == 0)
            {
                throw new UsageException("no state files given; pass the part.json files that 'segml eval --state' wrote.");
            }
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml merge: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            string? json = options.Get("json");
            Merge(files, options.Has("allow-incomplete"), json, json == "-" ? TextWriter.Null : stdout, stdout, stderr);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"segml merge: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static void Merge(IReadOnlyList<string> files, bool allowIncomplete, string? jsonPath, TextWriter stdout, TextWriter results, TextWriter stderr)
    {
        EvalShardFile[] parts = files.Select(EvalShardFile.Read).ToArray();
        CheckSameRun(parts, files);
        SegmentationEvaluationState[] states = parts.Select(p => p.State).ToArray();
        IReadOnlyList<int> missing = SegmentationEvaluationState.MissingShards(states);
        SegmentationEvaluationState merged;
        try
        {
            merged = SegmentationEvaluationState.Merge(states, allowIncomplete);
        }
        catch (ArgumentException e)
        {
            // The library numbers states by position; the user knows them by file name.
            throw new ArgumentException($"{e.Message.Split(" (Parameter", 2)[0]} States are numbered in the order given: {string.Join(", ", files.Select((f, i) => $"{i} = {f}"))}.", e);
        }

        int expected = parts[0].DatasetImageCount;
        if (missing.Count > 0)
        {
            stderr.WriteLine($"segml merge: warning: shard(s) {string.Join(", ", missing.Select(m => m.ToString(CultureInfo.InvariantCulture) + "/" + states[0].Shard!.Value.Count.ToString(CultureInfo.InvariantCulture)))} missing; the metrics cover {merged.ImageCount} of {expected} images.");
        }
        else if (states[0].Shard is not null && merged.ImageCount != expected)
        {
            throw new InvalidDataException($"The shards hold {merged.ImageCount} images but the dataset had {expected}; were the shards evaluated over different data?");
        }

        if (merged.ImageCount == 0)
        {
            throw new InvalidDataException("The states hold no image, so there are no metrics.");
        }

        // Shard order, then image order, as the library merges the states: the order a single run adds the losses in.
        // (Unsharded states keep the order given; OrderBy is stable.)
        IEnumerable<double?> losses = parts.OrderBy(p => p.State.Shard?.Index ?? 0).SelectMany(p => p.CrossEntropy);
        double sum = 0;
        int count = 0;
        foreach (double? loss in losses)
        {
            if (loss is double v)
            {
                sum += v;
                count++;
            }
        }

        double? meanCrossEntropy = count > 0 ? sum / count : null;
        SegmentationMetrics metrics = merged.GetMetrics();
        ModelDescription model = parts[0].Model;
        stdout.WriteLine(model.Line);
        stdout.WriteLine($"{merged.ImageCount} image(s), {merged.NumClasses} classes, ignore {IgnoreOption(parts[0].Options)}, reduction {merged.Reduction}");
        stdout.WriteLine();
        stdout.Write(metrics.GetFormattedPerClassTable());
        if (meanCrossEntropy is double ce)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean cross-entropy {ce:F4} (per image over non-ignored pixels, averaged over {count} images)"));
        }

        EvalCommand.WriteCalibrationLine(stdout, metrics);
        stdout.WriteLine();
        stdout.Write(metrics.GetFormattedConfusionTable());
        if (jsonPath is not null)
        {
            Dictionary<string, object?> described = parts[0].Options.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
            if (jsonPath == "-")
            {
                results.WriteLine(MetricsJson.ToJson(metrics, model, described, meanCrossEntropy, new MetricsJson.RunState(false, parts[0].DatasetImageCount)));
                results.Flush();
            }
            else
            {
                MetricsJson.Write(jsonPath, metrics, model, described, meanCrossEntropy, new MetricsJson.RunState(false, parts[0].DatasetImageCount));
                stdout.WriteLine($"Metrics written to {jsonPath}");
            }
        }
    }

    /// <summary>The states must come from one eval command line over one dataset: same model, same options, same dataset size.</summary>
    private static void CheckSameRun(IReadOnlyList<EvalShardFile> parts, IReadOnlyList<string> files)
    {
        for (int i = 1; i < parts.Count; i++)
        {
            if (parts[i].Model != parts[0].Model)
            {
                throw new InvalidDataException($"'{files[i]}' was evaluated with model {parts[i].Model.Path} ({parts[i].Model.ExecutionProvider}) but '{files[0]}' with {parts[0].Model.Path} ({parts[0].Model.ExecutionProvider}).");
            }

            foreach (JsonProperty option in parts[0].Options.EnumerateObject())
            {
                string other = parts[i].Options.TryGetProperty(option.Name, out JsonElement value) ? value.GetRawText() : "(absent)";
                if (other != option.Value.GetRawText())
                {
                    throw new InvalidDataException($"'{files[i]}' has option {option.Name} = {other} but '{files[0]}' has {option.Value.GetRawText()}; merge shards of one eval command line.");
                }
            }

            if (parts[i].DatasetImageCount != parts[0].DatasetImageCount)
            {
                throw new InvalidDataException($"'{files[i]}' comes from a dataset of {parts[i].DatasetImageCount} images but '{files[0]}' from one of {parts[0].DatasetImageCount}.");
            }
        }
    }

    /// <summary>Separates the state files (positional) from the options, whose values follow them.</summary>
    private static (List<string> Options, List<string> Files) SplitPositional(IReadOnlyList<string> args)
    {
        var valued = Specs.Where(s => !s.IsFlag).Select(s => "--" + s.Name).ToHashSet(StringComparer.Ordinal);
        var options = new List<string>();
        var files = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) || arg is "-h")
            {
                options.Add(arg);
                if (valued.Contains(arg) && i + 1 < args.Count)
                {
                    options.Add(args[++i]);
                }
            }
            else
            {
                files.Add(arg);
            }
        }

        return (options, files);
    }

    /// <summary>
    /// The --ignore value eval was run with, as its options record it (the library state's own ignore value is the
    /// evaluation loop's internal marker of a key-0 pixel, not the mask value the user gave).
    /// </summary>
    private static string IgnoreOption(JsonElement options)
        => options.TryGetProperty("ignoreIndex", out JsonElement ignore) && ignore.ValueKind == JsonValueKind.Number
            ? ignore.GetInt32().ToString(CultureInfo.InvariantCulture)
            : "none";
}
