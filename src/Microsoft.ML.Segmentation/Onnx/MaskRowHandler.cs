using System;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Receives one finished row of a predicted mask from <see cref="TiledMaskPredictor"/>, top to bottom: the class of
/// each pixel of image row <paramref name="row"/> and, when asked for, each pixel's confidence (empty otherwise). The
/// spans are valid only during the call.
/// </summary>
/// <param name="row">The image row, 0 at the top.</param>
/// <param name="labels">The row's class indices, one per column.</param>
/// <param name="confidence">The winning class's probability per column (<see cref="Metrics.MaskConfidence"/>), or empty.</param>
public delegate void MaskRowHandler(int row, ReadOnlySpan<int> labels, ReadOnlySpan<float> confidence);
