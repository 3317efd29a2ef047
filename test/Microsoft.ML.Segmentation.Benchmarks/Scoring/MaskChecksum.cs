using Microsoft.ML.Data;

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

    /// <summary>Reads the <c>PredictedMask</c> column of <paramref name="scored"/> to the end: the checksum of a pass.</summary>
    public static long SumPredictedMasks(IDataView scored)
    {
        DataViewSchema.Column mask = scored.Schema["PredictedMask"];
        using DataViewRowCursor cursor = scored.GetRowCursor([mask]);
        ValueGetter<VBuffer<uint>> getMask = cursor.GetGetter<VBuffer<uint>>(mask);
        VBuffer<uint> value = default;
        long sum = 0;
        while (cursor.MoveNext())
        {
            getMask(ref value);
            sum += SumKeys(value.GetValues());
        }

        return sum;
    }

    /// <summary>Disposes each stage of a fitted chain (the ONNX Runtime sessions), as an application would.</summary>
    public static void DisposeStages(ITransformer chain)
    {
        foreach (ITransformer stage in (IEnumerable<ITransformer>)chain)
        {
            (stage as IDisposable)?.Dispose();
        }
    }
}
