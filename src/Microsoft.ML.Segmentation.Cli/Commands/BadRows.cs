namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>Which failures <c>--skip-bad</c> skips: those of one image's data, never segml's own bugs.</summary>
internal static class BadRows
{
    /// <summary>Whether <paramref name="e"/> is a fault of one image or mask (missing, unreadable, corrupt, unfit for the model).</summary>
    public static bool IsBadRow(Exception e)
        => e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException;
}
