using System;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Writes the pixels of image rows [<paramref name="top"/>, top + <paramref name="rows"/>) and columns
/// [<paramref name="left"/>, left + <paramref name="columns"/>) as <c>[C, rows, columns]</c> into
/// <paramref name="destination"/>, e.g. normalised from the decoded image, so that no full-image tensor is needed.
/// The region always lies inside the image; padding is added by the caller.
/// </summary>
public delegate void ImageRegionReader(int top, int left, int rows, int columns, Span<float> destination);
