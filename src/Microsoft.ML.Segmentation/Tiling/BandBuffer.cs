using System;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The rows of <see cref="BandedSlidingWindow"/> still being blended: Σ w·scores <c>[K, tile height, padded width]</c>
/// and Σ w <c>[tile height, padded width]</c>, buffer row 0 being the top of the current row of windows. Sums are
/// accumulated in float32 in window order, the same operations as <see cref="StitchedOutput"/>, so the bands equal the
/// full result bit for bit.
/// </summary>
internal sealed class BandBuffer
{
    private readonly int _rows;
    private readonly float[] _product;

    public BandBuffer(int rows, int width)
    {
        _rows = rows;
        _product = new float[width];
        RowStride = width;
        Weights = new float[checked(rows * width)];
        Scores = Array.Empty<float>();
    }

    /// <summary>K, once <see cref="Allocate"/> has run; 0 before.</summary>
    public int Classes { get; private set; }

    /// <summary>The score sums, K planes of <see cref="PlaneStride"/> floats.</summary>
    public float[] Scores { get; private set; }

    /// <summary>The weight sums, one plane.</summary>
    public float[] Weights { get; }

    /// <summary>Floats per score plane: rows × width.</summary>
    public int PlaneStride => _rows * RowStride;

    /// <summary>Floats per row: the padded width.</summary>
    public int RowStride { get; }

    public void Allocate(int classes)
    {
        Classes = classes;
        Scores = new float[checked(classes * PlaneStride)];
    }

    /// <summary>Adds one window <c>[K, tile]</c> whose top is buffer row 0 and whose left is <paramref name="left"/>.</summary>
    public void Add(int left, ReadOnlySpan<float> scores, float[] weights, int tileWidth)
    {
        int tileRows = weights.Length / tileWidth;
        for (int r = 0; r < tileRows; r++)
        {
            ReadOnlySpan<float> w = weights.AsSpan(r * tileWidth, tileWidth);
            Span<float> count = Weights.AsSpan((r * RowStride) + left, tileWidth);
            TensorPrimitives.Add(count, w, count);
        }

        for (int k = 0; k < Classes; k++)
        {
            for (int r = 0; r < tileRows; r++)
            {
                ReadOnlySpan<float> w = weights.AsSpan(r * tileWidth, tileWidth);
                ReadOnlySpan<float> v = scores.Slice(((k * tileRows) + r) * tileWidth, tileWidth);
                Span<float> target = Scores.AsSpan((k * PlaneStride) + (r * RowStride) + left, tileWidth);
                Span<float> product = _product.AsSpan(0, tileWidth);

                // Multiply, then add: two float32 roundings like StitchedOutput (and MONAI), never a fused multiply-add.
                TensorPrimitives.Multiply(v, w, product);
                TensorPrimitives.Add(target, product, target);
            }
        }
    }

    /// <summary>Divides the score sums of buffer rows [0, <paramref name="rows"/>) by their weight sums.</summary>
    public void Normalise(int rows)
    {
        for (int k = 0; k < Classes; k++)
        {
            Span<float> plane = Scores.AsSpan(k * PlaneStride, rows * RowStride);
            ReadOnlySpan<float> count = Weights.AsSpan(0, rows * RowStride);
            TensorPrimitives.Divide(plane, count, plane);
        }
    }

    /// <summary>Drops the first <paramref name="rows"/> rows: the others move up and the freed rows at the bottom are zeroed.</summary>
    public void Shift(int rows)
    {
        int kept = (_rows - rows) * RowStride;
        int moved = rows * RowStride;
        for (int k = 0; k < Classes; k++)
        {
            Span<float> plane = Scores.AsSpan(k * PlaneStride, PlaneStride);
            plane.Slice(moved, kept).CopyTo(plane);
            plane[kept..].Clear();
        }

        Weights.AsSpan(moved, kept).CopyTo(Weights);
        Weights.AsSpan(kept).Clear();
    }
}
