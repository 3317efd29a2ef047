using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>A column a segmentation transformer adds: its name, its type and its annotations (class names).</summary>
internal sealed record SegmentationColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);
