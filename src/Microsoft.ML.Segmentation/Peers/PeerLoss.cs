using System;
using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// A peer library's loss whose SegML form depends on the channel count C of the input, as the peer's own does (MONAI
/// skips a softmax over one channel and ignores <c>weight</c> then; <c>DiceCELoss</c> switches to BCE for one channel).
/// The SegML loss for a channel count is built on first use and kept.
/// </summary>
/// <remarks>Thread safety: immutable after construction apart from its thread-safe cache; <c>Compute</c> may run on
/// several threads at once.</remarks>
public sealed class PeerLoss : ISegmentationLoss
{
    private readonly Func<int, ISegmentationLoss> _build;
    private readonly ConcurrentDictionary<int, ISegmentationLoss> _byChannels = new();

    internal PeerLoss(string name, Func<int, ISegmentationLoss> build, PeerPreset? preset = null)
    {
        Name = name;
        _build = build;
        Preset = preset;
    }

    /// <summary>The preset call that built this loss, so a saved pipeline can make it again; <see langword="null"/> when not recorded.</summary>
    internal PeerPreset? Preset { get; }

    /// <summary>The peer's name of the loss, for example "monai.DiceLoss".</summary>
    public string Name { get; }

    /// <summary>The SegML loss this preset is for inputs with <paramref name="channels"/> channels.</summary>
    /// <param name="channels">C of the input, ≥ 1.</param>
    /// <returns>The loss (for example a <see cref="DiceLoss"/> whose <see cref="RegionLoss.ComputeTerms{T}"/> gives MONAI's <c>reduction="none"</c>).</returns>
    /// <exception cref="ArgumentException">A preset parameter does not fit <paramref name="channels"/> (for example a weight of the wrong length).</exception>
    public ISegmentationLoss ForChannels(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return _byChannels.GetOrAdd(channels, _build);
    }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ForChannels(shape.Classes).Compute(input, shape, target, inputGradient);
}
