using System;
using System.Numerics.Tensors;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The rows of <see cref="BandedSlidingWindow"/> still being blended: Σ w·scores <c>[K, tile height, padded width]</c>
/// and Σ w <c>[tile height, padded width]</c>, buffer row 0 being the top of the current row of windows. Sums are
/// accumulated in float32 in window order, the same operations as <see cref="StitchedOutput"/>, so the bands equal the
/// full result bit for bit.
/// </summary>
/// <remarks>
/// The score sums are never cleared: the first window over a pixel stores 0 + w·score there (<see cref="WeightedSum.Store"/>,
/// the bits MONAI's zero-filled sum gets), later ones add. What has been written is tracked as the rows kept from the
/// previous row of windows (all columns) plus, below them, the columns the current row's windows have reached, so a
/// window reads the sums only where an earlier window wrote them: 44 % of a 512² window at overlap 0.25, instead of
/// all of it, and no 66 MB clear per row of windows (21 classes, 2048 columns).
/// </remarks>
internal sealed class BandBuffer
{
    private readonly int _rows;
    private readonly TilingWorkspace _workspace;

    // Score sums written: rows [0, _writtenRows) in every column; rows [_writtenRows, _rows) in columns [0, _writtenRight).
    private int _writtenRows;
    private int _writtenRight;

    /// <summary>A band of <paramref name="rows"/> × <paramref name="width"/> in <paramref name="workspace"/>'s buffers: weight sums zeroed, score sums written before they are read.</summary>
    public BandBuffer(int rows, int width, TilingWorkspace workspace)
    {
        _rows = rows;
        _workspace = workspace;
        RowStride = width;
        Weights = workspace.Weights(checked(rows * width));
        Scores = Array.Empty<float>();
    }

    /// <summary>K, once <see cref="Allocate"/> has run; 0 before.</summary>
    public int Classes { get; private set; }

    /// <summary>The score sums, K planes of <see cref="PlaneStride"/> floats (the array may be longer).</summary>
    public float[] Scores { get; private set; }

    /// <summary>The weight sums, one plane (the array may be longer).</summary>
    public float[] Weights { get; }

    /// <summary>Floats per score plane: rows × width.</summary>
    public int PlaneStride => _rows * RowStride;

    /// <summary>Floats per row: the padded width.</summary>
    public int RowStride { get; }

    /// <summary>The score floats the band holds: K × rows × width.</summary>
    public long ScoreFloats => (long)Classes * PlaneStride;

    /// <summary>The weight floats the band holds: rows × width.</summary>
    public long WeightFloats => PlaneStride;

    /// <summary>Takes the score sums of <paramref name="classes"/> planes from the workspace (as they are: nothing is read before it is written).</summary>
    public void Allocate(int classes)
    {
        Classes = classes;
        Scores = _workspace.Scores(checked(classes * PlaneStride));
    }

    /// <summary>Adds one window <c>[K, tile]</c> whose top is buffer row 0 and whose left is <paramref name="left"/>.</summary>
    /// <remarks>Windows of one row come left to right (their starts only grow). Classes are independent planes, blended
    /// on the pool's threads when the window is large: each plane's sums are the same operations in the same order on
    /// any thread, so the bands do not depend on scheduling.</remarks>
    public void Add(int left, ReadOnlySpan<float> scores, float[] weights, int tileWidth)
    {
        int tileRows = weights.Length / tileWidth;
        for (int r = 0; r < tileRows; r++)
        {
            ReadOnlySpan<float> w = weights.AsSpan(r * tileWidth, tileWidth);
            Span<float> count = Weights.AsSpan((r * RowStride) + left, tileWidth);
            TensorPrimitives.Add(count, w, count);
        }

        if (left > _writtenRight)
        {
            ClearUnwritten(_writtenRight, left); // a gap no window covered (not in a grid of windows): sums of nothing
        }

        int writtenRows = _writtenRows;
        int overlap = Math.Min(_writtenRight - left, tileWidth); // columns of the window an earlier window of this row wrote
        unsafe
        {
            fixed (float* pinned = scores)
            {
                var window = new NativeSpan<float>(pinned, scores.Length);
                ParallelWork.For(Classes, (long)Classes * weights.Length, k =>
                {
                    ReadOnlySpan<float> plane = window.Slice(k * weights.Length, weights.Length);
                    for (int r = 0; r < tileRows; r++)
                    {
                        Span<float> target = Scores.AsSpan((k * PlaneStride) + (r * RowStride) + left, tileWidth);
                        ReadOnlySpan<float> values = plane.Slice(r * tileWidth, tileWidth);
                        ReadOnlySpan<float> w = weights.AsSpan(r * tileWidth, tileWidth);
                        int added = r < writtenRows ? tileWidth : overlap;
                        WeightedSum.Accumulate(target[..added], values[..added], w[..added]);
                        WeightedSum.Store(target[added..], values[added..], w[added..]);
                    }
                });
            }
        }

        _writtenRight = Math.Max(_writtenRight, left + tileWidth);
    }

    /// <summary>Divides the score sums of buffer rows [0, <paramref name="rows"/>) by their weight sums.</summary>
    public void Normalise(int rows)
    {
        if (_writtenRight < RowStride)
        {
            ClearUnwritten(_writtenRight, RowStride); // columns no window of the row reached: their sums are 0
        }

        int length = rows * RowStride;
        ParallelWork.For(Classes, (long)Classes * length, k =>
        {
            Span<float> plane = Scores.AsSpan(k * PlaneStride, length);
            TensorPrimitives.Divide(plane, Weights.AsSpan(0, length), plane);
        });
    }

    /// <summary>
    /// Divides the score sums of buffer rows [<paramref name="bufferRow"/>, + <paramref name="rows"/>), columns
    /// [<paramref name="left"/>, + <paramref name="width"/>), by their weight sums straight into
    /// <paramref name="destination"/> <c>[K, *, width]</c> from its row <paramref name="destinationRow"/>: the values
    /// <see cref="Normalise"/> leaves there, without dividing the band in place and copying it out.
    /// </summary>
    public void DivideInto(int bufferRow, int rows, int left, int width, Span<float> destination, int destinationPlaneStride, int destinationRow)
    {
        if (_writtenRight < RowStride)
        {
            ClearUnwritten(_writtenRight, RowStride); // as Normalise: columns no window of the row reached hold sums of nothing
        }

        unsafe
        {
            fixed (float* pinned = destination)
            {
                var target = new NativeSpan<float>(pinned, destination.Length);
                ParallelWork.For(Classes, (long)Classes * rows * width, k =>
                {
                    for (int r = 0; r < rows; r++)
                    {
                        int at = ((bufferRow + r) * RowStride) + left;
                        TensorPrimitives.Divide(
                            Scores.AsSpan((k * PlaneStride) + at, width),
                            Weights.AsSpan(at, width),
                            target.Slice((k * destinationPlaneStride) + ((destinationRow + r) * width), width));
                    }
                });
            }
        }
    }

    /// <summary>Drops the first <paramref name="rows"/> rows: the others move up; the freed rows at the bottom are left to the next row of windows to write.</summary>
    public void Shift(int rows)
    {
        if (_writtenRight < RowStride)
        {
            ClearUnwritten(_writtenRight, RowStride); // columns no window of the row reached: their sums are 0
        }

        int kept = (_rows - rows) * RowStride;
        int moved = rows * RowStride;
        ParallelWork.For(Classes, (long)Classes * kept, k =>
        {
            Span<float> plane = Scores.AsSpan(k * PlaneStride, PlaneStride);
            plane.Slice(moved, kept).CopyTo(plane);
        });

        Weights.AsSpan(moved, kept).CopyTo(Weights);
        Weights.AsSpan(kept, moved).Clear();
        _writtenRows = _rows - rows;
        _writtenRight = 0;
    }

    /// <summary>Zeroes the score sums of rows [_writtenRows, _rows) in columns [from, to), and marks them written.</summary>
    private void ClearUnwritten(int from, int to)
    {
        for (int k = 0; k < Classes; k++)
        {
            for (int r = _writtenRows; r < _rows; r++)
            {
                Scores.AsSpan((k * PlaneStride) + (r * RowStride) + from, to - from).Clear();
            }
        }

        _writtenRight = to;
    }
}
