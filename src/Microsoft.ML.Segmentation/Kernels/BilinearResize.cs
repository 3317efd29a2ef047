using System;
using System.Buffers;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Bilinear resizing of planes with half-pixel centres, as PyTorch <c>F.interpolate(mode="bilinear",
/// align_corners=False)</c> with an explicit output size: source coordinate <c>(d + 0.5)·in/out − 0.5</c>, clamped
/// below at 0, neighbours clamped at the last row and column.
/// </summary>
internal static partial class BilinearResize
{
    /// <summary>Resizes <paramref name="planes"/> consecutive <c>[inHeight,inWidth]</c> planes to <c>[outHeight,outWidth]</c>.</summary>
    public static void Resize(
        ReadOnlySpan<float> source, int planes, int inHeight, int inWidth, int outHeight, int outWidth, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        ArgumentOutOfRangeException.ThrowIfLessThan(inHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        long inPlane = (long)inHeight * inWidth;
        long outPlane = (long)outHeight * outWidth;
        if (source.Length != planes * inPlane)
        {
            throw new ArgumentException($"source holds {source.Length} values; {planes} planes of {inHeight}x{inWidth} need {planes * inPlane}.", nameof(source));
        }

        if (destination.Length < planes * outPlane)
        {
            throw new ArgumentException($"destination holds {destination.Length} values; {planes} planes of {outHeight}x{outWidth} need {planes * outPlane}.", nameof(destination));
        }

        Interpolate<float>(source, planes, inHeight, inWidth, outHeight, outWidth, destination);
    }
}
