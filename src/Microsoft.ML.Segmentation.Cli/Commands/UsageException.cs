namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>A command line that cannot be run as given: exit code 1 (<see cref="ExitCodes.BadInput"/>), the message, then the command's usage.</summary>
internal sealed class UsageException(string message) : Exception(message);
