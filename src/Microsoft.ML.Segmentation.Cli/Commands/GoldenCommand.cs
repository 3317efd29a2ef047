using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Golden;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary><c>segml golden</c>: runs every case of the peer-library test vectors in a folder.</summary>
internal static class GoldenCommand
{
    public const string Synopsis = "segml golden <directory> [--json] [--quiet]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("json", null, "Write one JSON document (totals and every case) to stdout instead of the text lines."),
        .. CommonOptions.Specs,
    ];

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        string directory;
        ParsedOptions options;
        try
        {
            // The folder is the one positional argument; everything else is an option.
            List<string> positional = args.Where(a => !a.StartsWith('-')).ToList();
            options = ParsedOptions.Parse(args.Where(a => a.StartsWith('-')).ToList(), Specs);
            if (options.Has("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            if (positional.Count != 1)
            {
                throw new UsageException($"expected one directory argument; got {positional.Count}.");
            }

            directory = positional[0];
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml golden: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        bool json = options.Has("json");
        GoldenSummary summary;
        ProgressReporter? progress = null;
        int files = 0;
        try
        {
            summary = GoldenRunner.Run(directory, json ? null : stdout, (done, total, name) =>
            {
                progress ??= new ProgressReporter(stderr, total, interactive, "Checked", options.Has("quiet"), "files");
                progress.Report(done, name);
                files = done;
            });
            progress?.Finish(files);
        }
        catch (DirectoryNotFoundException e)
        {
            stderr.WriteLine($"segml golden: {e.Message}");
            return ExitCodes.BadInput;
        }
        finally
        {
            progress?.Dispose();
        }

        if (json)
        {
            stdout.WriteLine(ToJson(summary));
        }
        else
        {
            stdout.WriteLine(summary.ToString());
        }

        return summary.Failed == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static string ToJson(GoldenSummary summary) => JsonSerializer.Serialize(new
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
