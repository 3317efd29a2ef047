using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Cuts one window <c>[C, *tile]</c> out of an in-memory image batch <c>[N, C, *image]</c>, reading the pixels of the
/// padded image: outside the image (where it is smaller than the tile) every value is the padding value, as MONAI's
/// constant <c>F.pad</c> would have written it.
/// </summary>
internal sealed class WindowGather
{
    private readonly int _channels;
    private readonly int[] _image;
    private readonly int[] _tile;
    private readonly int[] _padBefore;
    private readonly long[] _imageStrides;
    private readonly long _imageCount;
    private readonly long _tileCount;
    private readonly float _padding;
    private readonly int[] _outer;

    public WindowGather(int channels, WindowGrid grid, float padding)
    {
        _channels = channels;
        _image = ToArray(grid.ImageSize);
        _tile = ToArray(grid.TileSize);
        _padBefore = ToArray(grid.PadBefore);
        _imageStrides = WindowRegion.Strides(_image);
        _imageCount = WindowRegion.Count(_image);
        _tileCount = WindowRegion.Count(_tile);
        _padding = padding;
        _outer = new int[_image.Length];
    }

    /// <summary>Writes the window of batch item <paramref name="item"/> starting at <paramref name="start"/> (padded coordinates).</summary>
    public void Gather(ReadOnlySpan<float> images, int item, ReadOnlySpan<int> start, Span<float> window)
    {
        int rank = _tile.Length;
        int length = _tile[rank - 1];
        long runs = WindowRegion.RunCount(_tile);
        int x0 = start[rank - 1] - _padBefore[rank - 1];
        int first = Math.Clamp(-x0, 0, length);
        int end = Math.Clamp(_image[rank - 1] - x0, first, length);
        for (int c = 0; c < _channels; c++)
        {
            ReadOnlySpan<float> plane = images.Slice((int)((((long)item * _channels) + c) * _imageCount), (int)_imageCount);
            Span<float> target = window.Slice((int)(c * _tileCount), (int)_tileCount);
            Span<int> outer = _outer;
            outer.Clear();
            for (long r = 0; r < runs; r++)
            {
                Span<float> run = target.Slice((int)(r * length), length);
                long offset = 0;
                bool inside = true;
                for (int a = 0; a < rank - 1; a++)
                {
                    int y = start[a] + outer[a] - _padBefore[a];
                    inside &= y >= 0 && y < _image[a];
                    offset += y * _imageStrides[a];
                }

                if (!inside)
                {
                    run.Fill(_padding);
                }
                else
                {
                    run[..first].Fill(_padding);
                    plane.Slice((int)(offset + x0 + first), end - first).CopyTo(run[first..end]);
                    run[end..].Fill(_padding);
                }

                WindowRegion.Advance(_tile, outer);
            }
        }
    }

    private static int[] ToArray(IReadOnlyList<int> values)
    {
        var array = new int[values.Count];
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = values[i];
        }

        return array;
    }
}
