namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// Dispatches <c>segml &lt;command&gt;</c> and enforces the exit codes: commands return 0 or 1 themselves, and any
/// exception they let through is an internal error (2) with a hint, and the stack trace under <c>--verbose</c>.
/// </summary>
internal static class CommandDispatcher
{
    /// <summary>A command: its arguments (after the command name), stdout, stderr, whether stderr is a terminal, and Ctrl+C.</summary>
    public delegate int Command(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellation);

    /// <summary>The commands with their one-line summaries, in the order <c>segml --help</c> lists them.</summary>
    public static readonly IReadOnlyList<(string Name, string Summary, Command Run, Func<string> Usage)> Commands =
    [
        ("eval", "Run a model over image/mask pairs and print per-class IoU, Dice, precision, recall and the confusion table.", EvalCommand.Run, () => EvalCommand.Usage),
        ("merge", "Merge the states of sharded 'segml eval --shard i/n --state' runs and print the metrics of the whole dataset.", (a, o, e, i, _) => MergeCommand.Run(a, o, e, i), () => MergeCommand.Usage),
        ("predict", "Write <stem>.png index masks (optionally color and confidence) at each image's original size.", PredictCommand.Run, () => PredictCommand.Usage),
        ("providers", "Check the model runs on each execution provider (no CPU fallback), its outputs and speed: JSON lines.", (a, o, e, i, _) => ProvidersCommand.Run(a, o, e, i), () => ProvidersCommand.Usage),
    ];

    public static string Usage
    {
        get
        {
            int width = Commands.Max(c => c.Name.Length) + 2;
            var lines = new List<string> { "segml — semantic segmentation tools for ML.NET", string.Empty, "Usage: segml <command> [options]", string.Empty, "Commands:" };
            lines.AddRange(Commands.Select(c => "  " + c.Name.PadRight(width) + c.Summary));
            lines.Add(string.Empty);
            lines.Add("Run 'segml <command> --help' for a command's options.");
            lines.Add("Exit codes: 0 ok, 1 bad input (usage, files, model, failed check), 2 internal error, 130 cancelled (Ctrl+C; partial results written).");
            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The whole command line, command name first.</param>
    /// <param name="stdout">Results only.</param>
    /// <param name="stderr">Messages and progress.</param>
    /// <param name="interactive">Whether stderr is a terminal (progress bars) rather than a log.</param>
    /// <param name="fault">A test hook run just before the command, to inject an unexpected failure.</param>
    /// <param name="cancellation">Ctrl+C (<see cref="Program"/> wires it); <c>eval</c> and <c>predict</c> stop at the next image and exit 130.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive, Action<string>? fault = null, CancellationToken cancellation = default)
    {
        if (args.Count > 0 && args[0] is "help" or "--help" or "-h")
        {
            stdout.WriteLine(Usage);
            return ExitCodes.Ok;
        }

        if (args.Count == 0)
        {
            stderr.WriteLine("segml: no command given.");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        string name = args[0];
        var command = Commands.FirstOrDefault(c => c.Name == name);
        if (command.Run is null)
        {
            stderr.WriteLine($"segml: unknown command '{name}'.");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            fault?.Invoke(name);
            return command.Run(args.Skip(1).ToList(), stdout, stderr, interactive, cancellation);
        }
#pragma warning disable CA1031 // The last line of defence: whatever escapes a command is by definition an internal error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"segml {name}: {e.GetType().Name}: {e.Message}");
            if (CommonOptions.IsVerbose(args))
            {
                stderr.WriteLine(e.ToString());
            }
            else
            {
                stderr.WriteLine("This is an internal error in segml, not a problem with your input; rerun with --verbose for the stack trace and report it.");
            }

            return ExitCodes.InternalError;
        }
    }
}
