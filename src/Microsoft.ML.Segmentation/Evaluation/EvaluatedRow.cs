using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// One row as <see cref="DataViewEvaluation"/> added it to the evaluator, for callers that keep more than the
/// metrics (the CLI's report and per-image losses). The arrays are reused for the next row: copy what you keep.
/// </summary>
/// <param name="Position">The row's position in the evaluated data.</param>
/// <param name="Name">The row's Name (or ImagePath) column, or <see langword="null"/>.</param>
/// <param name="Truth">The ground-truth labels (<see cref="DataViewEvaluation.Ignore"/> where ignored).</param>
/// <param name="Predicted">The predicted labels.</param>
/// <param name="Height">The masks' height, or 0 when no geometry column was read.</param>
/// <param name="Width">The masks' width, or 0 when no geometry column was read.</param>
/// <param name="Losses">The values of the requested loss columns, in the order asked.</param>
internal readonly record struct EvaluatedRow(long Position, string? Name, ReadOnlyMemory<int> Truth, ReadOnlyMemory<int> Predicted, int Height, int Width, IReadOnlyList<float> Losses);
