using System;
using System.Buffers;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Base of the overlap losses (Dice, Jaccard, Tversky, generalized Dice, MCC): each is a formula of per-class
/// <see cref="RegionStatistics"/>, so all share one pass that gathers the statistics and one that turns
/// ∂loss/∂statistics into ∂loss/∂input.
/// </summary>
/// <remarks>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several
/// threads at once, each call using its own scratch.</remarks>
public abstract class RegionLoss : ISegmentationLoss
{
    private protected RegionLoss(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        Activation = activation;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>The activation applied to the input before the overlap is measured.</summary>
    public Activation Activation { get; }

    private protected virtual bool NeedsAbsoluteDifference => false;

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run(input, shape, target, inputGradient, terms: null);

    /// <summary>
    /// The loss of every region before the final reduction (PyTorch's <c>reduction="none"</c>): for per-image losses
    /// <c>[N, K]</c>, for batch-pooled losses <c>[K]</c>, where K is the number of classes the loss keeps (one when
    /// classes are pooled). A region the loss leaves out of its mean is <c>NaN</c>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>One loss per region, row-major.</returns>
    public double[] ComputeTerms<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var terms = new System.Collections.Generic.List<double>();
        Run(input, shape, target, default, terms);
        return terms.ToArray();
    }

    /// <summary>Reduces per (image, class) statistics to the loss; fills <paramref name="gradient"/> when it is not empty.</summary>
    private protected abstract double Reduce(ReadOnlySpan<RegionStatistics> stats, SegmentationShape shape, Span<RegionGradient> gradient, System.Collections.Generic.List<double>? terms);

    /// <summary>Checks the options against the tensor's class count; throws <see cref="ArgumentException"/> when they do not fit.</summary>
    private protected virtual void ValidateFor(SegmentationShape shape)
    {
    }

    private double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, System.Collections.Generic.List<double>? terms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));

        // One sigmoid channel against a label map has label 1 as its target, which the fused kernel's class comparison does not read.
        bool fused = Activation == Activation.Softmax || (Activation == Activation.Sigmoid && (!target.IsLabelMap || shape.Classes > 1));
        if (fused && !target.IsLabelMap)
        {
            shape.ValidateScores(target.Dense.Length, nameof(target)); // the values: by the kernel, in its one read of the target
        }
        else
        {
            target.Validate(shape, nameof(target));
        }

        if (Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        ValidateFor(shape);
        if (fused)
        {
            return RunFused(input, shape, target, inputGradient, terms, sigmoid: Activation == Activation.Sigmoid);
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));

        T[]? rented = null;
        try
        {
            ReadOnlySpan<T> probabilities = input;
            if (Activation != Activation.None)
            {
                rented = ArrayPool<T>.Shared.Rent(input.Length);
                Span<T> buffer = rented.AsSpan(0, input.Length);
                ActivationKernels.Apply(Activation, input, shape, buffer);
                probabilities = buffer;
            }

            var stats = new RegionStatistics[shape.Batch * shape.Classes];
            RegionStatisticsKernel.Forward(probabilities, shape, target, NeedsAbsoluteDifference, stats);
            RegionGradient[] coefficients = inputGradient.IsEmpty ? Array.Empty<RegionGradient>() : new RegionGradient[stats.Length];
            double value = Reduce(stats, shape, coefficients, terms);
            if (!inputGradient.IsEmpty)
            {
                RegionStatisticsKernel.Backward(probabilities, shape, target, coefficients, inputGradient);
                ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
            }

            return value;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<T>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Softmax or sigmoid logits against a label map or a dense target (<see cref="RegionFusedKernel"/>): one pass over
    /// the logits (leaving p in the gradient buffer) and one over the gradient.
    /// </summary>
    private double RunFused<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, System.Collections.Generic.List<double>? terms, bool sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ignore = target.IgnoreIndex ?? int.MinValue;
        bool withGradient = !inputGradient.IsEmpty;
        var stats = new RegionStatistics[shape.Batch * shape.Classes];
        if (!RegionFusedKernel.Forward(input, shape, target.Labels, target.Dense, ignore, NeedsAbsoluteDifference, stats, inputGradient, sigmoid))
        {
            // The kernel found an infinite target or a logit that is not finite: the guards name the element.
            target.Validate(shape, nameof(target));
            FiniteGuard.ThrowIfNotFinite(input, nameof(input));
            throw new InvalidOperationException("The fused overlap kernel reported a non-finite value that neither the target's nor the input's check found.");
        }

        RegionGradient[] coefficients = withGradient ? new RegionGradient[stats.Length] : Array.Empty<RegionGradient>();
        double value = Reduce(stats, shape, coefficients, terms);
        if (withGradient)
        {
            RegionFusedKernel.Backward(shape, target.Labels, target.Dense, ignore, coefficients, inputGradient, sigmoid);
        }

        return value;
    }
}
