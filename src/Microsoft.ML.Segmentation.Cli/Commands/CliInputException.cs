namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// Bad input whose message is already worded for the command line (it names the option, e.g. <c>--model</c>): exit
/// code 1 (<see cref="ExitCodes.BadInput"/>) with the message; the library's exception, if any, is the inner exception.
/// </summary>
internal sealed class CliInputException(string message, Exception? inner = null) : Exception(message, inner);
