using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>A target that tests can keep in a field (the library's target is a ref struct).</summary>
internal sealed record TestTarget(int[]? Labels, int? IgnoreIndex, double[]? Dense)
{
    public static TestTarget FromLabels(int[] labels, int? ignoreIndex = null) => new(labels, ignoreIndex, null);

    public static TestTarget FromDense(double[] dense) => new(null, null, dense);

    public SegmentationTarget<double> Double() => Labels is not null
        ? SegmentationTarget<double>.FromLabels(Labels, IgnoreIndex)
        : SegmentationTarget<double>.FromDense(Dense);

    public SegmentationTarget<float> Single() => Labels is not null
        ? SegmentationTarget<float>.FromLabels(Labels, IgnoreIndex)
        : SegmentationTarget<float>.FromDense(Dense!.Select(v => (float)v).ToArray());
}
