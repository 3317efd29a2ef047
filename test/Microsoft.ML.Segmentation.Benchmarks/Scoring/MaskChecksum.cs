namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>The sum of class indices over predicted masks: equal sums across paths say they predicted the same masks (up to argmax ties flipped by float rounding).</summary>
internal static class MaskChecksum
{
    public static long Sum(ReadOnlySpan<int> labels)
    {
        long sum = 0;
        foreach (int label in labels)
        {
            sum += label;
        }

        return sum;
    }

    /// <summary>SegML's mask keys are class + 1 (0 would be ignored).</summary>
    public static long SumKeys(ReadOnlySpan<uint> keys)
    {
        long sum = 0;
        foreach (uint key in keys)
        {
            sum += key - 1;
        }

        return sum;
    }
}
