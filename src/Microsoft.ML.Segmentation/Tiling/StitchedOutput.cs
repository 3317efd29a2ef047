using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// One predictor output being stitched at its own scale: the weighted sums Σ w·scores <c>[N, K, *out]</c> and the
/// weight sums Σ w <c>[*out]</c> over the padded image, as MONAI's <c>output_image_list</c> and <c>count_map_list</c>.
/// </summary>
/// <remarks>
/// An output whose window size differs from the tile is stitched at z = out / tile per axis: window [s, s + tile)
/// lands on [int(s·z), int((s + tile)·z)), the output image is int(padded·z) and the weights are the tile's map
/// resized nearest-exact. Every sum is accumulated in float32, window by window in the grid's order, as MONAI does.
/// </remarks>
internal sealed class StitchedOutput
{
    private readonly int _channels;
    private readonly int[] _tile;
    private readonly int[] _windowSize;
    private readonly double[]? _zoom;
    private readonly int[] _outputSize;
    private readonly long[] _outputStrides;
    private readonly long _outputCount;
    private readonly long _windowCount;
    private readonly float[] _weights;
    private readonly float[] _sums;
    private readonly float[] _counts;
    private readonly int[] _origin;
    private readonly int[] _outer;

    public StitchedOutput(int batch, int channels, int[] windowSize, int[] tile, int[] padded, float[] weights)
    {
        _channels = channels;
        _windowSize = windowSize;
        _zoom = windowSize.SequenceEqual(tile) ? null : windowSize.Select((w, a) => w / (double)tile[a]).ToArray();
        _outputSize = _zoom is null ? padded.ToArray() : padded.Select((p, a) => (int)(p * _zoom[a])).ToArray();
        _outputStrides = WindowRegion.Strides(_outputSize);
        _outputCount = WindowRegion.Count(_outputSize);
        _windowCount = WindowRegion.Count(windowSize);
        _weights = weights;
        _sums = new float[checked((int)(batch * channels * _outputCount))];
        _counts = new float[checked((int)_outputCount)];
        _origin = new int[windowSize.Length];
        _outer = new int[windowSize.Length];
        _tile = tile;
    }

    /// <summary>The output's channel count K.</summary>
    public int Channels => _channels;

    /// <summary>The output's window size.</summary>
    public IReadOnlyList<int> WindowSize => _windowSize;

    /// <summary>Adds the weights of every window of <paramref name="grid"/> to the weight sums (MONAI builds its count map once).</summary>
    public void AddWeights(WindowGrid grid)
    {
        var start = new int[grid.Rank];
        for (int w = 0; w < grid.WindowCount; w++)
        {
            grid.GetStart(w, start);
            Place(start);
            AddWeightRuns(_counts);
        }
    }

    /// <summary>Adds w·scores of one window (<c>[K, *window]</c>) of batch item <paramref name="item"/> at <paramref name="start"/>.</summary>
    public void Add(int item, ReadOnlySpan<int> start, ReadOnlySpan<float> scores)
    {
        Place(start);
        for (int k = 0; k < _channels; k++)
        {
            long destination = (((long)item * _channels) + k) * _outputCount;
            AccumulateRuns(_sums.AsSpan((int)destination, (int)_outputCount), scores.Slice((int)(k * _windowCount), (int)_windowCount));
        }
    }

    /// <summary>Divides the sums by the weights and crops the padding away: the blended output <c>[N, K, *image]</c>.</summary>
    public FloatTensor Finish(int batch, WindowGrid grid)
    {
        for (long plane = 0; plane < (long)batch * _channels; plane++)
        {
            Span<float> sums = _sums.AsSpan((int)(plane * _outputCount), (int)_outputCount);
            TensorPrimitives.Divide(sums, _counts, sums);
        }

        int rank = _outputSize.Length;
        if (!grid.IsPadded)
        {
            return new FloatTensor(_sums, new[] { batch, _channels }.Concat(_outputSize).ToArray());
        }

        // MONAI crops with zoom = out / tile on every axis and Python's round (half to even); on an unpadded axis the
        // end lands past the output and the slice keeps it whole.
        var from = new int[rank];
        var size = new int[rank];
        for (int a = 0; a < rank; a++)
        {
            double zoom = _outputSize[a] / (double)_tile[a];
            int s = (int)Math.Round(grid.PadBefore[a] * zoom, MidpointRounding.ToEven);
            int e = (int)Math.Round((grid.PadBefore[a] + grid.ImageSize[a]) * zoom, MidpointRounding.ToEven);
            s = Math.Clamp(s, 0, _outputSize[a]);
            e = Math.Clamp(e, s, _outputSize[a]);
            from[a] = s;
            size[a] = e - s;
        }

        long cropCount = WindowRegion.Count(size);
        var cropped = new float[checked((int)(batch * _channels * cropCount))];
        int length = size[rank - 1];
        long runs = WindowRegion.RunCount(size);
        var outer = new int[rank];
        for (long plane = 0; plane < (long)batch * _channels; plane++)
        {
            outer.AsSpan().Clear();
            for (long r = 0; r < runs; r++)
            {
                long source = (plane * _outputCount) + WindowRegion.Offset(_outputStrides, from, outer);
                Array.Copy(_sums, source, cropped, (plane * cropCount) + (r * length), length);
                WindowRegion.Advance(size, outer);
            }
        }

        return new FloatTensor(cropped, new[] { batch, _channels }.Concat(size).ToArray());
    }

    /// <summary>Sets the output-scale origin of the window starting at <paramref name="start"/> (tile scale) and checks it fits.</summary>
    private void Place(ReadOnlySpan<int> start)
    {
        for (int a = 0; a < _origin.Length; a++)
        {
            if (_zoom is null)
            {
                _origin[a] = start[a];
                continue;
            }

            int s = (int)(start[a] * _zoom[a]);
            int e = (int)((start[a] + _tile[a]) * _zoom[a]);
            if (e - s != _windowSize[a] || e > _outputSize[a])
            {
                throw new NotSupportedException(
                    $"An output of window size [{string.Join(", ", _windowSize)}] for tile [{string.Join(", ", _tile)}] puts a window at [{s}, {e}) on axis {a}, which is not {_windowSize[a]} pixels inside {_outputSize[a]}: choose a tile and overlap whose window starts scale to whole pixels.");
            }

            _origin[a] = s;
        }
    }

    /// <summary>destination[window] += values·w, run by run, in row-major order.</summary>
    private void AccumulateRuns(Span<float> destination, ReadOnlySpan<float> values)
    {
        int length = _windowSize[^1];
        long runs = WindowRegion.RunCount(_windowSize);
        Span<int> outer = _outer;
        outer.Clear();
        for (long r = 0; r < runs; r++)
        {
            Span<float> target = destination.Slice((int)WindowRegion.Offset(_outputStrides, _origin, outer), length);
            ReadOnlySpan<float> v = values.Slice((int)(r * length), length);
            WeightedSum.Accumulate(target, v, _weights.AsSpan((int)(r * length), length));

            WindowRegion.Advance(_windowSize, outer);
        }
    }

    /// <summary>destination[window] += w, run by run, in row-major order.</summary>
    private void AddWeightRuns(Span<float> destination)
    {
        int length = _windowSize[^1];
        long runs = WindowRegion.RunCount(_windowSize);
        Span<int> outer = _outer;
        outer.Clear();
        for (long r = 0; r < runs; r++)
        {
            Span<float> target = destination.Slice((int)WindowRegion.Offset(_outputStrides, _origin, outer), length);
            ReadOnlySpan<float> w = _weights.AsSpan((int)(r * length), length);
            TensorPrimitives.Add(target, w, target);

            WindowRegion.Advance(_windowSize, outer);
        }
    }
}
