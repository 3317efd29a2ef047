using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// A torchmetrics metric built by a <see cref="Torchmetrics"/> factory: <see cref="Compute(IReadOnlyList{ConfusionCounts})"/>
/// returns what the metric's <c>compute()</c> returns after one <c>update(preds, target)</c> with these samples.
/// </summary>
/// <remarks>
/// Counts are per-sample one-vs-rest counts with every class, background included (<see cref="ConfusionMatrix.ToImageCounts"/>
/// of index maps, or <see cref="ConfusionCounts.FromMasks{T}"/> of one-hot masks); the metric drops class 0 itself when
/// <c>includeBackground</c> is false. torchmetrics argmaxes floating-point inputs: argmax them first
/// (<see cref="MaskPrediction.Argmax{T}"/>) and pass labels. Results are flattened row-major.
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed class TorchmetricsMetric
{
    private readonly Func<IReadOnlyList<ConfusionCounts>, double[]> _compute;
    private readonly bool _includeBackground;

    internal TorchmetricsMetric(string name, int? numClasses, int? ignoreIndex, bool includeBackground, Func<IReadOnlyList<ConfusionCounts>, double[]> compute)
    {
        Name = name;
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _includeBackground = includeBackground;
        _compute = compute;
    }

    /// <summary>The torchmetrics class this metric reproduces, e.g. "DiceScore".</summary>
    public string Name { get; }

    /// <summary>torchmetrics' <c>num_classes</c>, or null when the metric reads it from the input.</summary>
    public int? NumClasses { get; }

    /// <summary>torchmetrics' <c>ignore_index</c> (classification metrics), or null.</summary>
    public int? IgnoreIndex { get; }

    /// <summary>The metric of per-sample counts.</summary>
    /// <param name="samples">One entry per sample, each with every class; at least one.</param>
    /// <returns>The metric's value(s).</returns>
    /// <exception cref="ArgumentException">No counts, mixed class counts, or counts that differ from <see cref="NumClasses"/>.</exception>
    public double[] Compute(IReadOnlyList<ConfusionCounts> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        for (int i = 0; i < samples.Count; i++)
        {
            if (NumClasses is int k && samples[i].ClassCount != k)
            {
                throw new ArgumentException($"Sample {i} has {samples[i].ClassCount} classes but numClasses is {k}.", nameof(samples));
            }
        }

        return _compute(PeerArguments.WithoutBackground(samples, _includeBackground, keepSingleChannel: false));
    }

    /// <summary>The metric of index maps (torchmetrics <c>input_format="index"</c>, or the classification metrics' label inputs).</summary>
    /// <param name="preds">Predicted class of every element, samples one after another.</param>
    /// <param name="target">True class of every element (<see cref="IgnoreIndex"/> is skipped).</param>
    /// <param name="batch">The number of samples N; the lengths must split into N equal samples.</param>
    /// <returns>The metric's value(s).</returns>
    /// <exception cref="InvalidOperationException">The metric has no <c>num_classes</c>.</exception>
    /// <exception cref="ArgumentException">The lengths differ or a label is out of range.</exception>
    public double[] ComputeFromLabels(ReadOnlySpan<int> preds, ReadOnlySpan<int> target, int batch)
    {
        if (NumClasses is not int k)
        {
            throw new InvalidOperationException($"{Name} without numClasses cannot read index maps; pass numClasses, as torchmetrics requires for input_format='index'.");
        }

        // An ignore index inside the class range is skipped like any other: ConfusionMatrix drops those ground-truth pixels.
        var matrix = new ConfusionMatrix(k, IgnoreIndex, keepImageCounts: true);
        matrix.Add(preds, target, batch);
        return Compute(matrix.ToImageCounts());
    }

    /// <summary>The metric of one-hot masks [N,C,…] (torchmetrics <c>input_format="one-hot"</c> with integer tensors; an element is positive when ≥ 0.5).</summary>
    /// <param name="preds">Predicted masks.</param>
    /// <param name="target">True masks.</param>
    /// <param name="shape">[N,C,H,W] (any spatial size flattened).</param>
    /// <returns>The metric's value(s).</returns>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public double[] ComputeFromMasks<T>(ReadOnlySpan<T> preds, ReadOnlySpan<T> target, SegmentationShape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Compute(ConfusionCounts.FromMasks(preds, target, shape));
}
