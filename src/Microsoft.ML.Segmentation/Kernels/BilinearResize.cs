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

        int[] columns = ArrayPool<int>.Shared.Rent(2 * outWidth);
        float[] columnWeights = ArrayPool<float>.Shared.Rent(outWidth);
        try
        {
            double scaleX = (double)inWidth / outWidth;
            for (int x = 0; x < outWidth; x++)
            {
                (int x0, int x1, float wx) = Neighbours(x, scaleX, inWidth);
                columns[2 * x] = x0;
                columns[(2 * x) + 1] = x1;
                columnWeights[x] = wx;
            }

            double scaleY = (double)inHeight / outHeight;
            for (int p = 0; p < planes; p++)
            {
                ReadOnlySpan<float> plane = source.Slice((int)(p * inPlane), (int)inPlane);
                Span<float> target = destination.Slice((int)(p * outPlane), (int)outPlane);
                for (int y = 0; y < outHeight; y++)
                {
                    (int y0, int y1, float wy) = Neighbours(y, scaleY, inHeight);
                    ReadOnlySpan<float> top = plane.Slice(y0 * inWidth, inWidth);
                    ReadOnlySpan<float> bottom = plane.Slice(y1 * inWidth, inWidth);
                    Span<float> row = target.Slice(y * outWidth, outWidth);
                    float vy = 1f - wy;
                    for (int x = 0; x < row.Length; x++)
                    {
                        int x0 = columns[2 * x];
                        int x1 = columns[(2 * x) + 1];
                        float wx = columnWeights[x];
                        float upper = top[x0] + (wx * (top[x1] - top[x0]));
                        float lower = bottom[x0] + (wx * (bottom[x1] - bottom[x0]));
                        row[x] = (vy * upper) + (wy * lower);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<float>.Shared.Return(columnWeights);
        }
    }

    private static (int Low, int High, float Weight) Neighbours(int index, double scale, int size)
    {
        double src = Math.Max(((index + 0.5) * scale) - 0.5, 0.0);
        int low = Math.Min((int)src, size - 1);
        int high = Math.Min(low + 1, size - 1);
        return (low, high, (float)(src - low));
    }
}
