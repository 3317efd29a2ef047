using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>A backbone's feature maps for one image, finest stride first, with the size of the image they came from.</summary>
/// <remarks>Thread safety: its arrays are writable and unsynchronised: share it between threads only while nobody
/// writes to it.</remarks>
public sealed class FeatureMaps
{
    /// <summary>Groups the maps of one image.</summary>
    /// <param name="imageHeight">The input image's height (the tensor the backbone ran on).</param>
    /// <param name="imageWidth">The input image's width.</param>
    /// <param name="maps">The maps, finest stride first; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="maps"/> is empty or not ordered by stride.</exception>
    public FeatureMaps(int imageHeight, int imageWidth, IReadOnlyList<FeatureMap> maps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWidth, 1);
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Count == 0)
        {
            throw new ArgumentException("maps is empty; a backbone gives at least one feature map.", nameof(maps));
        }

        for (int i = 1; i < maps.Count; i++)
        {
            if (maps[i].Stride < maps[i - 1].Stride)
            {
                throw new ArgumentException($"maps must be ordered finest stride first; map {i} has stride {maps[i].Stride} after {maps[i - 1].Stride}.", nameof(maps));
            }
        }

        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Maps = maps.ToArray();
    }

    /// <summary>The input image's height.</summary>
    public int ImageHeight { get; }

    /// <summary>The input image's width.</summary>
    public int ImageWidth { get; }

    /// <summary>The maps, finest stride first.</summary>
    public IReadOnlyList<FeatureMap> Maps { get; }

    /// <summary>Total channels over all maps (the width of the concatenated features a head sees).</summary>
    public int TotalChannels => Maps.Sum(m => m.Channels);

    /// <summary>Bytes held by the maps' values.</summary>
    public long ByteCount => Maps.Sum(m => (long)m.Data.Length * sizeof(float));
}
