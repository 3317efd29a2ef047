namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>Runs a <c>segml</c> command in process, capturing its output.</summary>
internal static class Cli
{
    public delegate int Command(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive);

    public static (int Code, string Stdout, string Stderr) Run(Command command, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = command(args, stdout, stderr, false);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
