using System;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>Which part of a sharded evaluation a <see cref="SegmentationEvaluationState"/> holds: shard <see cref="Index"/> of <see cref="Count"/>.</summary>
/// <remarks>Thread safety: an immutable value; safe to share.</remarks>
public readonly record struct EvaluationShard
{
    /// <summary>Creates shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <param name="index">The shard, in 0..count−1.</param>
    /// <param name="count">The number of shards; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or the index outside 0..count−1.</exception>
    public EvaluationShard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        Index = index;
        Count = count;
    }

    /// <summary>The shard, in 0..<see cref="Count"/>−1.</summary>
    public int Index { get; }

    /// <summary>The number of shards the dataset was split into.</summary>
    public int Count { get; }

    /// <summary>
    /// The items of shard <see cref="Index"/> among <paramref name="total"/> ordered items: the contiguous block
    /// [⌊i·N/n⌋, ⌊(i+1)·N/n⌋). Blocks (rather than every n-th item) keep the merged image order equal to the dataset
    /// order, so order-dependent sums reproduce a single run exactly; block sizes differ by at most one.
    /// </summary>
    /// <param name="total">The number of items N.</param>
    /// <returns>The first item and the number of items of this shard (possibly 0 when N &lt; n).</returns>
    public (int Start, int Length) Range(int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        int start = (int)((long)Index * total / Count);
        int end = (int)((long)(Index + 1) * total / Count);
        return (start, end - start);
    }

    /// <summary>The shard as <c>i/n</c>.</summary>
    /// <returns>For example <c>2/5</c>.</returns>
    public override string ToString() => $"{Index}/{Count}";
}
