using System;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>Widens or narrows a model's integer mask into Int32 class indices.</summary>
internal static class MaskLabels
{
    public static void FromInt64(ReadOnlySpan<long> mask, Span<int> labels)
    {
        for (int i = 0; i < mask.Length; i++)
        {
            labels[i] = checked((int)mask[i]);
        }
    }

    public static void FromBytes(ReadOnlySpan<byte> mask, Span<int> labels)
    {
        for (int i = 0; i < mask.Length; i++)
        {
            labels[i] = mask[i];
        }
    }
}
