using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>An application's own loss, which SegML cannot describe in a model file: the mean score.</summary>
internal sealed class MeanScoreLoss : ISegmentationLoss
{
    public string Name => "mean_score";

    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T value in input)
        {
            sum += double.CreateChecked(value);
        }

        inputGradient.Fill(T.CreateChecked(1.0 / input.Length));
        return sum / input.Length;
    }
}
