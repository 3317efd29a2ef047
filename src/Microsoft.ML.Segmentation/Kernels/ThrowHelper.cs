using System;
using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>Throws kept out of hot loops so the loops stay small enough to inline and vectorize.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowLabelOutOfRange(string paramName, int index, int label, int labelCount, int? ignoreIndex)
    {
        string ignore = ignoreIndex is int i ? $" or the ignore index {i}" : " (no ignore index is set)";
        throw new ArgumentException(
            $"Label {label} at pixel {index} is outside the classes 0..{labelCount - 1}{ignore}.", paramName);
    }

    [DoesNotReturn]
    public static void ThrowNotFinite(string paramName, int index, double value)
    {
        throw new ArgumentException(
            $"The scores hold a non-finite value ({value}) at element {index}; losses need finite logits or probabilities.", paramName);
    }
}
