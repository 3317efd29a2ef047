using System;
using System.Buffers;
using System.Numerics;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// The bilinear resize as a linear map R in any floating-point type, and its exact transpose Rᵀ: training upsamples
/// low-resolution logits with R and must carry the gradient at mask resolution back with Rᵀ.
/// </summary>
internal static partial class BilinearResize
{
    /// <summary>
    /// <see cref="Resize"/> in <typeparamref name="T"/>. The interpolation weights are those of the float kernel,
    /// computed in double and rounded to <typeparamref name="T"/>, so float results agree with <see cref="Resize"/>.
    /// </summary>
    public static void Forward<T>(
        ReadOnlySpan<T> source, int planes, int inHeight, int inWidth, int outHeight, int outWidth, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(source.Length, planes, inHeight, inWidth, outHeight, outWidth, destination.Length, nameof(source), nameof(destination));
        Interpolate(source, planes, inHeight, inWidth, outHeight, outWidth, destination);
    }

    /// <summary>
    /// The resize of <see cref="Resize"/> and <see cref="Forward{T}"/> (arguments validated): each source row's horizontal
    /// interpolation <c>top[x0] + wx·(top[x1] − top[x0])</c> is computed once and kept while output rows still use it
    /// (two rows kept), and each output row is <c>(1 − wy)·upper + wy·lower</c> a vector at a time: the same operations,
    /// so the same bits, as interpolating every output pixel from the four source pixels, which recomputed each source
    /// row for every output row it served (4 times at 4× upsampling) one value at a time.
    /// </summary>
    private static void Interpolate<T>(ReadOnlySpan<T> source, int planes, int inHeight, int inWidth, int outHeight, int outWidth, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = inHeight * inWidth;
        int outPlane = outHeight * outWidth;
        double scaleY = (double)inHeight / outHeight;
        int[] columns = ArrayPool<int>.Shared.Rent(2 * outWidth);
        T[] columnWeights = ArrayPool<T>.Shared.Rent(outWidth);
        T[] first = ArrayPool<T>.Shared.Rent(outWidth);
        T[] second = ArrayPool<T>.Shared.Rent(outWidth);
        try
        {
            ColumnTable(inWidth, outWidth, columns, columnWeights);
            for (int p = 0; p < planes; p++)
            {
                ReadOnlySpan<T> plane = source.Slice(p * inPlane, inPlane);
                Span<T> target = destination.Slice(p * outPlane, outPlane);
                var rows = new KeptRows<T>(plane, inWidth, outWidth, columns, columnWeights, first, second);
                for (int y = 0; y < outHeight; y++)
                {
                    (int y0, int y1, T wy) = NeighboursOf<T>(y, scaleY, inHeight);
                    ReadOnlySpan<T> upper = rows.Get(y0, keep: y1);
                    ReadOnlySpan<T> lower = rows.Get(y1, keep: y0);
                    Blend(upper, lower, T.One - wy, wy, target.Slice(y * outWidth, outWidth));
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<T>.Shared.Return(columnWeights);
            ArrayPool<T>.Shared.Return(first);
            ArrayPool<T>.Shared.Return(second);
        }
    }

    /// <summary><c>row[x] = (vy·upper[x]) + (wy·lower[x])</c>: each product rounded, then the sum, as the scalar expression.</summary>
    private static void Blend<T>(ReadOnlySpan<T> upper, ReadOnlySpan<T> lower, T vy, T wy, Span<T> row)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vUpper = new Vector<T>(vy);
            var vLower = new Vector<T>(wy);
            for (; x <= row.Length - Vector<T>.Count; x += Vector<T>.Count)
            {
                ((vUpper * new Vector<T>(upper.Slice(x))) + (vLower * new Vector<T>(lower.Slice(x)))).CopyTo(row.Slice(x));
            }
        }

        for (; x < row.Length; x++)
        {
            row[x] = (vy * upper[x]) + (wy * lower[x]);
        }
    }

    /// <summary>Two source rows of one plane interpolated horizontally to the output width, by row index.</summary>
    private ref struct KeptRows<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> _plane;
        private readonly int _inWidth;
        private readonly int _outWidth;
        private readonly int[] _columns;
        private readonly T[] _weights;
        private readonly T[] _first;
        private readonly T[] _second;
        private int _firstRow;
        private int _secondRow;

        public KeptRows(ReadOnlySpan<T> plane, int inWidth, int outWidth, int[] columns, T[] weights, T[] first, T[] second)
        {
            _plane = plane;
            _inWidth = inWidth;
            _outWidth = outWidth;
            _columns = columns;
            _weights = weights;
            _first = first;
            _second = second;
            _firstRow = -1;
            _secondRow = -1;
        }

        /// <summary>Source row <paramref name="row"/> interpolated, computed into the slot that does not hold <paramref name="keep"/> if it is not kept.</summary>
        public ReadOnlySpan<T> Get(int row, int keep)
        {
            if (_firstRow == row)
            {
                return _first.AsSpan(0, _outWidth);
            }

            if (_secondRow == row)
            {
                return _second.AsSpan(0, _outWidth);
            }

            bool intoSecond = _firstRow == keep;
            T[] slot = intoSecond ? _second : _first;
            ReadOnlySpan<T> source = _plane.Slice(row * _inWidth, _inWidth);
            for (int x = 0; x < _outWidth; x++)
            {
                T a = source[_columns[2 * x]];
                T b = source[_columns[(2 * x) + 1]];
                slot[x] = a + (_weights[x] * (b - a));
            }

            if (intoSecond)
            {
                _secondRow = row;
            }
            else
            {
                _firstRow = row;
            }

            return slot.AsSpan(0, _outWidth);
        }
    }

    /// <summary>
    /// Rᵀ: spreads each output value of <paramref name="gradient"/> (<c>[outHeight,outWidth]</c> planes) back onto
    /// the four source pixels it was interpolated from, with the same weights, into <paramref name="sourceGradient"/>
    /// (<c>[inHeight,inWidth]</c> planes), which is overwritten.
    /// </summary>
    public static void Transpose<T>(
        ReadOnlySpan<T> gradient, int planes, int inHeight, int inWidth, int outHeight, int outWidth, Span<T> sourceGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(sourceGradient.Length, planes, inHeight, inWidth, outHeight, outWidth, gradient.Length, nameof(sourceGradient), nameof(gradient));
        int inPlane = inHeight * inWidth;
        int outPlane = outHeight * outWidth;
        sourceGradient.Slice(0, planes * inPlane).Clear();
        double scaleY = (double)inHeight / outHeight;
        int[] columns = ArrayPool<int>.Shared.Rent(2 * outWidth);
        T[] columnWeights = ArrayPool<T>.Shared.Rent(outWidth);
        try
        {
            ColumnTable(inWidth, outWidth, columns, columnWeights);
            for (int p = 0; p < planes; p++)
            {
                Span<T> plane = sourceGradient.Slice(p * inPlane, inPlane);
                ReadOnlySpan<T> g = gradient.Slice(p * outPlane, outPlane);
                for (int y = 0; y < outHeight; y++)
                {
                    (int y0, int y1, T wy) = NeighboursOf<T>(y, scaleY, inHeight);
                    Span<T> top = plane.Slice(y0 * inWidth, inWidth);
                    Span<T> bottom = plane.Slice(y1 * inWidth, inWidth);
                    ReadOnlySpan<T> row = g.Slice(y * outWidth, outWidth);
                    T vy = T.One - wy;
                    for (int x = 0; x < row.Length; x++)
                    {
                        int x0 = columns[2 * x];
                        int x1 = columns[(2 * x) + 1];
                        T wx = columnWeights[x];
                        T upper = vy * row[x];
                        T lower = wy * row[x];
                        T vx = T.One - wx;
                        top[x0] += vx * upper;
                        top[x1] += wx * upper;
                        bottom[x0] += vx * lower;
                        bottom[x1] += wx * lower;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<T>.Shared.Return(columnWeights);
        }
    }

    // The horizontal neighbours and weights are the same on every row: compute them once per call.
    private static void ColumnTable<T>(int inWidth, int outWidth, int[] columns, T[] weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double scaleX = (double)inWidth / outWidth;
        for (int x = 0; x < outWidth; x++)
        {
            (int x0, int x1, T wx) = NeighboursOf<T>(x, scaleX, inWidth);
            columns[2 * x] = x0;
            columns[(2 * x) + 1] = x1;
            weights[x] = wx;
        }
    }

    private static (int Low, int High, T Weight) NeighboursOf<T>(int index, double scale, int size)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int low, int high, double weight) = NeighboursDouble(index, scale, size);
        return (low, high, T.CreateTruncating(weight));
    }

    private static (int Low, int High, double Weight) NeighboursDouble(int index, double scale, int size)
    {
        double src = Math.Max(((index + 0.5) * scale) - 0.5, 0.0);
        int low = Math.Min((int)src, size - 1);
        int high = Math.Min(low + 1, size - 1);
        return (low, high, src - low);
    }

    private static void Validate(
        int sourceLength, int planes, int inHeight, int inWidth, int outHeight, int outWidth, int destinationLength,
        string sourceName, string destinationName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        ArgumentOutOfRangeException.ThrowIfLessThan(inHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        long inValues = (long)planes * inHeight * inWidth;
        long outValues = (long)planes * outHeight * outWidth;
        if (sourceLength < inValues)
        {
            throw new ArgumentException($"{sourceName} holds {sourceLength} values; {planes} planes of {inHeight}x{inWidth} need {inValues}.", sourceName);
        }

        if (destinationLength < outValues)
        {
            throw new ArgumentException($"{destinationName} holds {destinationLength} values; {planes} planes of {outHeight}x{outWidth} need {outValues}.", destinationName);
        }
    }
}
