namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>
/// <c>DIR [--json]</c>: runs every case of the peer-library vectors in a folder, prints one line per case and the
/// totals (or, with <c>--json</c>, one JSON document). Exit code 0 when no case failed, 1 when one did or the
/// arguments or the folder are wrong; a case no handler understands is unsupported, not failed.
/// </summary>
internal static class GoldenCommandLine
{
    public const int Ok = 0;

    public const int Failed = 1;

    public const string Usage = """
        Usage: dotnet run -c Release --project test/Microsoft.ML.Segmentation.GoldenVectors -- <directory> [--json]

        Runs every case of every *.json peer-vector file in <directory> (the format of shared/golden) through the
        library's peer presets; prints one line per case (PASS, FAIL or SKIP for unsupported, with the reason), then
        'N passed, N failed, N unsupported'.
          --json   Write one JSON document (totals and every case) to stdout instead of the text lines.
          --help   Print this text.
        Exit codes: 0 no case failed, 1 a case failed or bad arguments (a missing directory included).
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            stdout.WriteLine(Usage);
            return Ok;
        }

        // The folder is the one positional argument; --json the one option.
        string[] unknown = args.Where(a => a.StartsWith('-') && a != "--json").ToArray();
        string[] positional = args.Where(a => !a.StartsWith('-')).ToArray();
        if (unknown.Length > 0 || positional.Length != 1)
        {
            stderr.WriteLine(unknown.Length > 0
                ? $"golden vectors: unknown option '{unknown[0]}'."
                : $"golden vectors: expected one directory argument; got {positional.Length}.");
            stderr.WriteLine(Usage);
            return Failed;
        }

        string directory = positional[0];
        if (!Directory.Exists(directory))
        {
            stderr.WriteLine($"golden vectors: the directory '{directory}' does not exist; give a folder of peer-vector *.json files such as ../shared/golden.");
            return Failed;
        }

        bool json = args.Contains("--json");
        GoldenSummary summary = GoldenRunner.Run(directory, json ? null : stdout);
        stdout.WriteLine(json ? GoldenSummaryJson.Write(summary) : summary.ToString());
        return summary.Failed == 0 ? Ok : Failed;
    }
}
