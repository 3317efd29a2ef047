namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>One <c>--name</c> option a command accepts.</summary>
/// <param name="Name">The name without dashes, e.g. <c>model</c>.</param>
/// <param name="ValueName">What the value looks like in the usage (<c>file</c>, <c>r,g,b</c>); <see langword="null"/> for a flag that takes no value.</param>
/// <param name="Help">One line of help.</param>
internal sealed record OptionSpec(string Name, string? ValueName, string Help)
{
    public bool IsFlag => ValueName is null;
}
