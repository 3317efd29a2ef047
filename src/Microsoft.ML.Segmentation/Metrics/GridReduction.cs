namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// How a [batch, channel] grid of scores that may hold NaN is reduced: MONAI's <c>MetricReduction</c> names, as
/// <c>monai.metrics.utils.do_metric_reduction</c> (MONAI 1.5.0) defines them. See <see cref="GridReductions"/>.
/// </summary>
public enum GridReduction
{
    /// <summary>No reduction: the grid itself, B·C values in item-major order (MONAI <c>none</c>).</summary>
    None = 0,

    /// <summary>Per item the mean of its non-NaN channels, then the mean over the items that had one (MONAI <c>mean</c>): one value.</summary>
    Mean = 1,

    /// <summary>The sum of every non-NaN entry (MONAI <c>sum</c>): one value.</summary>
    Sum = 2,

    /// <summary>Per channel the mean of its non-NaN items (MONAI <c>mean_batch</c>): C values.</summary>
    MeanBatch = 3,

    /// <summary>Per channel the sum of its non-NaN items (MONAI <c>sum_batch</c>): C values.</summary>
    SumBatch = 4,

    /// <summary>Per item the mean of its non-NaN channels (MONAI <c>mean_channel</c>): B values.</summary>
    MeanChannel = 5,

    /// <summary>Per item the sum of its non-NaN channels (MONAI <c>sum_channel</c>): B values.</summary>
    SumChannel = 6,
}
