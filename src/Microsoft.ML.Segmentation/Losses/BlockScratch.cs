using System;
using System.Buffers;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The scratch rows of one work item of the block kernels: rows of <see cref="RegionFusedKernel.BlockPixels"/>
/// values rented from the shared pool and given back on <see cref="Dispose"/> (a <c>using</c> per work item).
/// </summary>
/// <remarks>Row indices are the caller's layout (for example C rows of probabilities, then one row each for a max and a
/// sum); indexed rather than carved, so a <c>using</c> variable, which is read-only, can hand them out.</remarks>
internal readonly struct BlockScratch<T> : IDisposable
    where T : unmanaged
{
    private const int RowLength = RegionFusedKernel.BlockPixels;
    private readonly T[] _rented;

    /// <summary>Rents <paramref name="rows"/> rows.</summary>
    public BlockScratch(int rows) => _rented = ArrayPool<T>.Shared.Rent(rows * RowLength);

    /// <summary>Rows [<paramref name="first"/>, first + <paramref name="count"/>) as one span (row r of them at r × BlockPixels).</summary>
    public Span<T> Rows(int first, int count = 1) => _rented.AsSpan(first * RowLength, count * RowLength);

    /// <summary>The first <paramref name="length"/> values of row <paramref name="row"/>.</summary>
    public Span<T> Row(int row, int length) => _rented.AsSpan(row * RowLength, length);

    public void Dispose() => ArrayPool<T>.Shared.Return(_rented);
}
