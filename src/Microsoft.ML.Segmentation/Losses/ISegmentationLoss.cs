using System;
using System.Numerics;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>A pixelwise segmentation loss that returns its value and, on request, its exact gradient.</summary>
/// <remarks>
/// Inputs are NCHW tensors: <c>input</c> holds logits or probabilities as the loss's options say; the gradient is
/// with respect to that same input and is written (not accumulated) into the caller's span. Implementations are
/// immutable after construction and safe to call from several threads at once.
/// <para>Thread safety: SegML's implementations are immutable and <c>Compute</c> is thread-safe; ComputeLosses may call
/// a custom implementation from several cursors at once, so it must be too.</para>
/// </remarks>
public interface ISegmentationLoss
{
    /// <summary>A short name for logs and reports, for example "dice" or "cross_entropy".</summary>
    string Name { get; }

    /// <summary>Computes the loss and, when <paramref name="inputGradient"/> is not empty, ∂loss/∂input.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <param name="inputGradient">Empty for no gradient, or a span of N·C·H·W elements that receives ∂loss/∂input.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentException">Lengths do not match <paramref name="shape"/>, a label is out of range, or the input is not finite.</exception>
    double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
