using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>One feature map of one image from a backbone: <c>[Channels, Height, Width]</c> at a given stride.</summary>
/// <remarks>Thread safety: its arrays are writable and unsynchronised: share it between threads only while nobody
/// writes to it.</remarks>
public sealed class FeatureMap
{
    /// <summary>Wraps <paramref name="data"/> (not copied).</summary>
    /// <param name="channels">Channels; 1 or more.</param>
    /// <param name="height">Height in feature pixels; 1 or more.</param>
    /// <param name="width">Width in feature pixels; 1 or more.</param>
    /// <param name="stride">Input pixels per feature pixel; 1 or more.</param>
    /// <param name="data">The values, channel-major; length <c>channels · height · width</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong length.</exception>
    public FeatureMap(int channels, int height, int width, int stride, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)channels * height * width)
        {
            throw new ArgumentException($"data holds {data.Length} values; [{channels},{height},{width}] needs {(long)channels * height * width}.", nameof(data));
        }

        Channels = channels;
        Height = height;
        Width = width;
        Stride = stride;
        Data = data;
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Height in feature pixels.</summary>
    public int Height { get; }

    /// <summary>Width in feature pixels.</summary>
    public int Width { get; }

    /// <summary>Input pixels per feature pixel.</summary>
    public int Stride { get; }

    /// <summary>The values <c>[Channels, Height, Width]</c>.</summary>
    public float[] Data { get; }
}
