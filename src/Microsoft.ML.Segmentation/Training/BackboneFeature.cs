using System;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>A tensor of a backbone graph to take as a feature map: any node output, not only a graph output.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class BackboneFeature
{
    /// <summary>Names the tensor and, optionally, its stride.</summary>
    /// <param name="name">The tensor's name in the graph.</param>
    /// <param name="stride">Input pixels per feature pixel; 0 infers it from a trial run (input size ÷ output size).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is negative.</exception>
    public BackboneFeature(string name, int stride = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(stride);
        Name = name;
        Stride = stride;
    }

    /// <summary>The tensor's name in the graph.</summary>
    public string Name { get; }

    /// <summary>Input pixels per feature pixel; 0 when it is to be inferred.</summary>
    public int Stride { get; }
}
