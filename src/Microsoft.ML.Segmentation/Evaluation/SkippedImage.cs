namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>A row left out of the metrics under <see cref="BadRowPolicy.SkipAndRecord"/>, and why.</summary>
/// <param name="RowIndex">The row's 0-based position in the evaluated data (or the image's index in a CLI run).</param>
/// <param name="Name">The row's name or image path when the data has one; otherwise <see langword="null"/>.</param>
/// <param name="Reason">The failure's message (it names the file that could not be read).</param>
/// <remarks>Thread safety: immutable; safe to share.</remarks>
public sealed record SkippedImage(long RowIndex, string? Name, string Reason);
