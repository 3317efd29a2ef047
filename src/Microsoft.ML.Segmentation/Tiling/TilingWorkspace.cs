using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// The large buffers of one sliding-window pass (the windows of a run, a padded window's scratch, the band's score and
/// weight sums), kept from image to image so that a tiler allocates them once, not once per image.
/// </summary>
/// <remarks>
/// A fresh 88 MB band (21 classes, 512-row tiles, 2048 columns) per image cost more than the blend itself: the GC hands
/// large arrays back to the OS, so every image faulted its pages in again (kernel page clearing and TLB shootdowns were
/// 40 % of a blend-only profile on the 2-core VM). Not thread-safe: one pass at a time, as the tilers that own one.
/// </remarks>
internal sealed class TilingWorkspace
{
    private float[] _windows = [];
    private float[] _nextWindows = [];
    private float[] _scratch = [];
    private float[] _scores = [];
    private float[] _weights = [];
    private float[] _map = [];
    private (int[] Tile, TileBlend Blend, double[] Sigma)? _mapKey;

    /// <summary>At least <paramref name="length"/> floats for the windows of one run (contents undefined).</summary>
    public float[] Windows(int length) => Grow(ref _windows, length);

    /// <summary>At least <paramref name="length"/> floats for the next run's windows, read while a run is in flight (contents undefined).</summary>
    public float[] NextWindows(int length) => Grow(ref _nextWindows, length);

    /// <summary>At least <paramref name="length"/> floats for a padded window's region (contents undefined).</summary>
    public float[] Scratch(int length) => Grow(ref _scratch, length);

    /// <summary>At least <paramref name="length"/> floats for the score sums (contents undefined: the band writes before it reads).</summary>
    public float[] Scores(int length) => Grow(ref _scores, length);

    /// <summary>At least <paramref name="length"/> floats for the weight sums, the first <paramref name="length"/> zero.</summary>
    public float[] Weights(int length) => GrowCleared(ref _weights, length);

    /// <summary>
    /// The importance map of <see cref="ImportanceMap.Create"/> for these arguments: the last one again when they are
    /// the same (a Gaussian 512² map is an outer product, a min and a clamp over 262 144 floats, and its 1 MB was faulted
    /// in again for every image).
    /// </summary>
    /// <remarks>The map is shared between passes: callers only read it.</remarks>
    public float[] ImportanceMap(IReadOnlyList<int> tileSize, TileBlend blend, IReadOnlyList<double> sigmaScale)
    {
        if (_mapKey is not { } key || key.Blend != blend || !key.Tile.AsSpan().SequenceEqual(tileSize.ToArray()) || !key.Sigma.AsSpan().SequenceEqual(sigmaScale.ToArray()))
        {
            _map = Tiling.ImportanceMap.Create(tileSize, blend, sigmaScale);
            _mapKey = (tileSize.ToArray(), blend, sigmaScale.ToArray());
        }

        return _map;
    }

    private static float[] Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = []; // let the old one go before the new one is allocated
            buffer = new float[length];
        }

        return buffer;
    }

    private static float[] GrowCleared(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = [];
            buffer = new float[length]; // zeroed by the runtime
            return buffer;
        }

        buffer.AsSpan(0, length).Clear();
        return buffer;
    }
}
