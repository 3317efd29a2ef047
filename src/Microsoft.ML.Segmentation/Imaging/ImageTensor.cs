using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>A batch of images as one float tensor, with the geometry of each image.</summary>
/// <remarks>Thread safety: its arrays are writable and unsynchronised: share it between threads only while nobody
/// writes to it.</remarks>
public sealed class ImageTensor
{
    internal ImageTensor(float[] data, int batch, int channels, int height, int width, TensorLayout layout, IReadOnlyList<ImageGeometry> geometries)
    {
        Data = data;
        Batch = batch;
        Channels = channels;
        Height = height;
        Width = width;
        Layout = layout;
        Geometries = geometries;
    }

    /// <summary>The values, <c>[N, C, H, W]</c> or <c>[N, H, W, C]</c> as <see cref="Layout"/> says. The array belongs to the caller.</summary>
    public float[] Data { get; }

    /// <summary>Number of images, N.</summary>
    public int Batch { get; }

    /// <summary>Number of channels, C (always 3).</summary>
    public int Channels { get; }

    /// <summary>Height of every image, H.</summary>
    public int Height { get; }

    /// <summary>Width of every image, W.</summary>
    public int Width { get; }

    /// <summary>Memory layout of <see cref="Data"/>.</summary>
    public TensorLayout Layout { get; }

    /// <summary>The geometry of each image, in batch order.</summary>
    public IReadOnlyList<ImageGeometry> Geometries { get; }

    /// <summary>The dimensions in layout order: <c>[N, C, H, W]</c> or <c>[N, H, W, C]</c>.</summary>
    public ReadOnlySpan<int> Dimensions => Layout == TensorLayout.Nchw ? new[] { Batch, Channels, Height, Width } : new[] { Batch, Height, Width, Channels };
}
