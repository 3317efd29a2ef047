namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>The exit codes of every <c>segml</c> command (the README's "Exit codes" lists them).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (and its check, if any, passed).</summary>
    public const int Ok = 0;

    /// <summary>
    /// Bad input: a usage error, a missing or unreadable file, a model that does not fit the data — or a check that
    /// ran and did not pass (a failed golden case, a provider that fell back). Fix the input, not segml.
    /// </summary>
    public const int BadInput = 1;

    /// <summary>An unexpected exception: a bug in segml or its runtime; <c>--verbose</c> prints the stack trace.</summary>
    public const int InternalError = 2;

    /// <summary>
    /// Cancelled (Ctrl+C): the command stopped at the next image and wrote what it had, marked partial. 130 is the
    /// shell's convention for a process ended by SIGINT (128 + 2), so scripts read it as "interrupted".
    /// </summary>
    public const int Cancelled = 130;
}
