namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>The options every command takes, appended to each command's table so the usage lists them too.</summary>
internal static class CommonOptions
{
    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("quiet", null, "No progress on stderr (results on stdout are unchanged)."),
        new("verbose", null, "On an internal error (exit code 2), also print the stack trace."),
    ];

    /// <summary>Whether <c>--verbose</c> is among <paramref name="args"/>, read before parsing so even a failed parse can honour it.</summary>
    public static bool IsVerbose(IEnumerable<string> args) => args.Contains("--verbose", StringComparer.Ordinal);
}
