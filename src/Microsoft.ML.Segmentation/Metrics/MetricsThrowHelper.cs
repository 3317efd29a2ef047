using System;
using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>Throws kept out of the counting loops.</summary>
internal static class MetricsThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTruthOutOfRange(string paramName, long position, int label, int classCount, int? ignoreIndex)
    {
        string ignore = ignoreIndex is int i ? $" or the ignore index {i}" : "; set ignoreIndex (for example 255) to skip such pixels";
        throw new ArgumentException(
            $"Ground-truth label {label} at position {position} is outside the classes 0..{classCount - 1}{ignore}.", paramName);
    }

    [DoesNotReturn]
    public static void ThrowPredictionOutOfRange(string paramName, long position, int label, int classCount)
    {
        throw new ArgumentException(
            $"Predicted label {label} at position {position} is outside the classes 0..{classCount - 1}; predictions must be class indices (use MaskPrediction.Argmax).",
            paramName);
    }

    public static void ThrowIfLengthsDiffer(int predictedLength, int truthLength, string paramName)
    {
        if (predictedLength != truthLength)
        {
            throw new ArgumentException(
                $"The prediction has {predictedLength} elements but the ground truth has {truthLength}; both must describe the same pixels.",
                paramName);
        }
    }
}
