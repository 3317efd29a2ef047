using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A weighted sum of losses, Σ λᵢ·lossᵢ, for the usual pairings (cross-entropy + Dice, Dice + focal, …). The
/// gradient is the same weighted sum of the parts' gradients.
/// </summary>
/// <remarks>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several
/// threads at once, each call using its own scratch.</remarks>
public sealed class CombinedLoss : ISegmentationLoss
{
    private readonly (ISegmentationLoss Loss, double Weight)[] _parts;

    /// <summary>Creates the combination.</summary>
    /// <param name="parts">The losses and their weights λ (each finite).</param>
    /// <exception cref="ArgumentException">No part is given, a loss is null, or a weight is not finite.</exception>
    public CombinedLoss(params (ISegmentationLoss Loss, double Weight)[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0)
        {
            throw new ArgumentException("Give at least one loss, for example (new CrossEntropyLoss(), 1.0).", nameof(parts));
        }

        foreach ((ISegmentationLoss loss, double weight) in parts)
        {
            if (loss is null)
            {
                throw new ArgumentException("A part's loss is null.", nameof(parts));
            }

            if (!double.IsFinite(weight))
            {
                throw new ArgumentException($"The weight of '{loss.Name}' is {weight}; weights must be finite.", nameof(parts));
            }
        }

        _parts = parts.ToArray();
    }

    /// <summary>The parts and their weights.</summary>
    public IReadOnlyList<(ISegmentationLoss Loss, double Weight)> Parts => _parts;

    /// <inheritdoc/>
    public string Name => string.Join("+", _parts.Select(p => p.Weight == 1 ? p.Loss.Name : $"{p.Weight}*{p.Loss.Name}"));

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        if (inputGradient.IsEmpty)
        {
            double value = 0;
            foreach ((ISegmentationLoss loss, double weight) in _parts)
            {
                value += weight * loss.Compute(input, shape, target);
            }

            return value;
        }

        T[] rented = ArrayPool<T>.Shared.Rent(input.Length);
        try
        {
            Span<T> partGradient = rented.AsSpan(0, input.Length);
            inputGradient.Clear();
            double value = 0;
            foreach ((ISegmentationLoss loss, double weight) in _parts)
            {
                value += weight * loss.Compute(input, shape, target, partGradient);
                TensorPrimitives.MultiplyAdd(partGradient, T.CreateTruncating(weight), inputGradient, inputGradient);
            }

            return value;
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }
}
