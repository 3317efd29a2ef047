using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Runs the model on a batch of windows. <paramref name="windows"/> is <c>[B, C, *tile]</c> row-major as
/// <paramref name="shape"/> says (B ≤ <see cref="TilingOptions.TilesPerRun"/>); the result is one or more outputs
/// <c>[B, K, *out]</c>, window b of every output from window b of the input. K may differ from C, and each output may
/// have its own spatial size (a multi-resolution head), which is then stitched at its own scale (out / tile per axis).
/// </summary>
/// <remarks>
/// <paramref name="windows"/> is only valid during the call, and the returned values are read before the next call,
/// so a predictor may return the same buffers every time.
/// </remarks>
public delegate IReadOnlyList<FloatTensor> WindowPredictor(ReadOnlySpan<float> windows, IReadOnlyList<int> shape);
