using System;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// A band of finished image rows from <see cref="BandedSlidingWindow"/>: the blended scores <c>[K, Rows, Width]</c> of
/// image rows [<see cref="FirstRow"/>, FirstRow + <see cref="Rows"/>), which no later window touches.
/// </summary>
/// <remarks>
/// A view into the accumulator: valid only during the callback that receives it. Copy what must outlive it
/// (<see cref="CopyTo"/>), or reduce it there (argmax, threshold).
/// </remarks>
public sealed class TileBand
{
    private readonly float[] _buffer;
    private readonly int _planeStride;
    private readonly int _rowStride;
    private readonly int _firstBufferRow;
    private readonly int _left;

    internal TileBand(float[] buffer, int channels, int planeStride, int rowStride, int firstBufferRow, int left, int firstRow, int rows, int width)
    {
        _buffer = buffer;
        _planeStride = planeStride;
        _rowStride = rowStride;
        _firstBufferRow = firstBufferRow;
        _left = left;
        Channels = channels;
        FirstRow = firstRow;
        Rows = rows;
        Width = width;
    }

    /// <summary>The number of score channels K.</summary>
    public int Channels { get; }

    /// <summary>The image row of the band's first row.</summary>
    public int FirstRow { get; }

    /// <summary>The number of rows in the band (1 or more).</summary>
    public int Rows { get; }

    /// <summary>The image width.</summary>
    public int Width { get; }

    /// <summary>The <see cref="Width"/> blended scores of channel <paramref name="channel"/> on band row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Row(int channel, int row)
    {
        if ((uint)channel >= (uint)Channels || (uint)row >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(channel >= Channels || channel < 0 ? nameof(channel) : nameof(row), $"The band has {Channels} channels and {Rows} rows; asked channel {channel}, row {row}.");
        }

        return _buffer.AsSpan((channel * _planeStride) + ((_firstBufferRow + row) * _rowStride) + _left, Width);
    }

    /// <summary>Copies the band as <c>[K, Rows, Width]</c> row-major into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than K × Rows × Width.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < (long)Channels * Rows * Width)
        {
            throw new ArgumentException($"The band needs {(long)Channels * Rows * Width} values; the destination holds {destination.Length}.", nameof(destination));
        }

        for (int k = 0; k < Channels; k++)
        {
            for (int r = 0; r < Rows; r++)
            {
                Row(k, r).CopyTo(destination.Slice(((k * Rows) + r) * Width, Width));
            }
        }
    }
}
