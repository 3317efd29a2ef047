using Microsoft.ML.Segmentation.Cli.Commands;

namespace Microsoft.ML.Segmentation.Cli;

/// <summary>The <c>segml</c> command line; <see cref="CommandDispatcher"/> holds the commands and the exit codes.</summary>
internal static class Program
{
    public static int Main(string[] args) =>
        CommandDispatcher.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected);
}
