namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>One <c>--name</c> option a command accepts.</summary>
/// <param name="Name">The name without dashes, e.g. <c>model</c>.</param>
/// <param name="ValueName">What the value looks like in the usage (<c>file</c>, <c>r,g,b</c>); <see langword="null"/> for a flag that takes no value.</param>
/// <param name="Help">One line of help; a trailing <c>Default: …</c> sentence is shown as the option's default.</param>
internal sealed record OptionSpec(string Name, string? ValueName, string Help)
{
    private const string DefaultMarker = " Default: ";

    public bool IsFlag => ValueName is null;

    /// <summary>The help without its <c>Default: …</c> sentence.</summary>
    public string Description => Help.LastIndexOf(DefaultMarker, StringComparison.Ordinal) is int at and >= 0 ? Help[..at] : Help;

    /// <summary>
    /// The default taken from the help's trailing <c>Default: …</c> sentence, so the tables keep one string per option
    /// and the usage still shows defaults in a column of their own; <see langword="null"/> when the help names none.
    /// </summary>
    public string? Default => Help.LastIndexOf(DefaultMarker, StringComparison.Ordinal) is int at and >= 0
        ? Help[(at + DefaultMarker.Length)..].TrimEnd('.')
        : null;
}
