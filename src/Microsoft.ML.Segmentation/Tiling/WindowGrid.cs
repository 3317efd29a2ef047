using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Where the windows of a sliding-window pass lie, exactly as MONAI 1.5.0 places them (<c>fall_back_tuple</c>,
/// the padding of <c>sliding_window_inference</c>, <c>_get_scan_interval</c> and <c>dense_patch_slices</c>).
/// </summary>
/// <remarks>
/// Coordinates are those of the padded image: an axis shorter than its tile is padded to the tile,
/// <see cref="PadBefore"/> pixels before the image. Windows are numbered row-major over the per-axis starts, the first
/// spatial axis slowest; the last start on an axis is pulled back so that the window ends at the border.
/// </remarks>
public sealed class WindowGrid
{
    private readonly int[] _imageSize;
    private readonly int[] _tileSize;
    private readonly int[] _paddedSize;
    private readonly int[] _padBefore;
    private readonly int[] _interval;
    private readonly int[][] _starts;

    private WindowGrid(int[] imageSize, int[] tileSize, double[] overlap)
    {
        int rank = imageSize.Length;
        _imageSize = imageSize;
        _tileSize = new int[rank];
        _paddedSize = new int[rank];
        _padBefore = new int[rank];
        _interval = new int[rank];
        _starts = new int[rank][];
        for (int a = 0; a < rank; a++)
        {
            // fall_back_tuple: a tile of 0 or less means the image's size on that axis.
            int tile = tileSize[a] > 0 ? tileSize[a] : imageSize[a];
            int padded = Math.Max(imageSize[a], tile);
            _tileSize[a] = tile;
            _paddedSize[a] = padded;
            _padBefore[a] = (padded - imageSize[a]) / 2;

            // _get_scan_interval compares the tile with the padded size; int() truncates toward zero.
            _interval[a] = tile == padded ? tile : Math.Max((int)(tile * (1 - overlap[a])), 1);
            _starts[a] = AxisStartsOf(padded, tile, _interval[a]);
        }

        WindowCount = _starts.Aggregate(1, (n, s) => checked(n * s.Length));
    }

    /// <summary>The image's spatial size, before padding.</summary>
    public IReadOnlyList<int> ImageSize => _imageSize;

    /// <summary>The window size per axis, after an entry of 0 or less fell back to the image size.</summary>
    public IReadOnlyList<int> TileSize => _tileSize;

    /// <summary>The padded image size per axis: max(image, tile).</summary>
    public IReadOnlyList<int> PaddedSize => _paddedSize;

    /// <summary>The padding before the image per axis: (padded − image) / 2, rounded down; the rest goes after.</summary>
    public IReadOnlyList<int> PadBefore => _padBefore;

    /// <summary>The step between window starts per axis (MONAI's scan interval).</summary>
    public IReadOnlyList<int> Interval => _interval;

    /// <summary>The number of spatial axes.</summary>
    public int Rank => _imageSize.Length;

    /// <summary>The number of windows per image.</summary>
    public int WindowCount { get; }

    /// <summary>Whether any axis is padded (the image is smaller than the tile there).</summary>
    public bool IsPadded => _paddedSize.Where((p, a) => p != _imageSize[a]).Any();

    /// <summary>The window starts along <paramref name="axis"/>, ascending, in padded coordinates.</summary>
    public IReadOnlyList<int> AxisStarts(int axis) => _starts[axis];

    /// <summary>
    /// Builds the grid of an image of spatial size <paramref name="imageSize"/> with <paramref name="options"/>'s tile
    /// size and overlap.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or a size is below 1.</exception>
    public static WindowGrid Create(IReadOnlyList<int> imageSize, TilingOptions options)
    {
        ArgumentNullException.ThrowIfNull(imageSize);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(imageSize.Count);
        return Create(imageSize, options.TileSizePerAxis(imageSize.Count), options.OverlapPerAxis(imageSize.Count));
    }

    /// <summary>Builds the grid from a tile size and an overlap per axis (0 or less in a tile: the image's size).</summary>
    /// <exception cref="ArgumentException">The lists' lengths differ, a size is below 1 or an overlap is outside [0, 1).</exception>
    public static WindowGrid Create(IReadOnlyList<int> imageSize, IReadOnlyList<int> tileSize, IReadOnlyList<double> overlap)
    {
        ArgumentNullException.ThrowIfNull(imageSize);
        ArgumentNullException.ThrowIfNull(tileSize);
        ArgumentNullException.ThrowIfNull(overlap);
        if (imageSize.Count == 0 || tileSize.Count != imageSize.Count || overlap.Count != imageSize.Count)
        {
            throw new ArgumentException(
                $"A window grid needs one tile size and one overlap per spatial axis: image rank {imageSize.Count}, {tileSize.Count} tile sizes, {overlap.Count} overlaps.");
        }

        for (int a = 0; a < imageSize.Count; a++)
        {
            if (imageSize[a] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize[a], $"Image axis {a} has size {imageSize[a]}; every axis needs 1 pixel or more.");
            }

            if (!(overlap[a] >= 0 && overlap[a] < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(overlap), overlap[a], $"Overlap must be in [0, 1); axis {a} has {overlap[a]}.");
            }
        }

        return new WindowGrid(imageSize.ToArray(), tileSize.ToArray(), overlap.ToArray());
    }

    /// <summary>Writes the start (padded coordinates) of window <paramref name="window"/> into <paramref name="start"/>.</summary>
    public void GetStart(int window, Span<int> start)
    {
        if ((uint)window >= (uint)WindowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The grid has {WindowCount} windows.");
        }

        // Row-major: the last axis varies fastest (numpy.meshgrid with indexing="ij", flattened).
        for (int a = Rank - 1; a >= 0; a--)
        {
            int n = _starts[a].Length;
            start[a] = _starts[a][window % n];
            window /= n;
        }
    }

    /// <summary>dense_patch_slices on one axis: starts d·interval for d up to the first window reaching the end, the last pulled back.</summary>
    private static int[] AxisStartsOf(int size, int tile, int interval)
    {
        int count = 1;
        for (int d = 0; ; d++)
        {
            if (((long)d * interval) + tile >= size)
            {
                count = d + 1;
                break;
            }
        }

        var starts = new int[count];
        for (int d = 0; d < count; d++)
        {
            int s = d * interval;
            starts[d] = s - Math.Max(s + tile - size, 0);
        }

        return starts;
    }
}
