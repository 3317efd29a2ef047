using Microsoft.ML.Segmentation.Cli.Commands;

namespace Microsoft.ML.Segmentation.Cli;

/// <summary>The <c>segml</c> command line; <see cref="CommandDispatcher"/> holds the commands and the exit codes.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C asks the command to stop at the next image and write its partial results; a second
            // one, while it is still stopping, ends the process the usual way.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        return CommandDispatcher.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, cancellation: cancel.Token);
    }
}
