using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Focal loss (Lin et al., 2017): a·(1 − p_t)^γ·CE(p_t) per term, which down-weights pixels the model already gets
/// right so that rare classes and hard pixels drive training.
/// </summary>
/// <remarks>
/// <para>Sigmoid terms use p_t = p·t + (1 − p)(1 − t) (torchvision's form; for hard targets identical to smp's
/// exp(−BCE) and MONAI's σ(−x(2t − 1))). Softmax terms are Σ_c t_c·a_c·f(p_c)·(−log p_c) per pixel.</para>
/// <para>The gradient is exact, including through the normaliser when <see cref="FocalLossOptions.Normalized"/>.</para>
/// <para><see cref="Compute"/> is vectorized and runs (image, channel) rows (sigmoid) or (image, pixel chunk) items
/// (softmax) in parallel, producing value and gradient in one pass (two when <see cref="FocalLossOptions.Normalized"/>);
/// partial sums are added in a fixed order, so results do not depend on the number of threads. Float32 sigmoid terms
/// with γ ∈ {0, 1, 2, 3} take the fused <see cref="FocalSigmoidVectorKernel"/>.
/// <see cref="ComputeTerms"/> uses the scalar reference implementation.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads
/// at once, each call using its own scratch.</para>
/// </remarks>
public sealed class FocalLoss : ISegmentationLoss
{
    private readonly FocalLossOptions _options;
    private readonly double[]? _classWeights;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public FocalLoss(FocalLossOptions? options = null)
    {
        options ??= new FocalLossOptions();
        if (options.Activation is not (Activation.Sigmoid or Activation.Softmax))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "The focal loss takes logits: use Sigmoid or Softmax.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.Gamma, "options.Gamma");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NormalizationEpsilon, "options.NormalizationEpsilon");
        if (options.Alpha is double a && !(a >= 0 && a <= 1))
        {
            throw new ArgumentOutOfRangeException("options.Alpha", a, "Alpha must lie in [0, 1]; 0.25 is the paper's choice.");
        }

        if (options.ReducedThreshold is double r && !(r > 0 && r <= 1))
        {
            throw new ArgumentOutOfRangeException("options.ReducedThreshold", r, "ReducedThreshold must lie in (0, 1]; 0.5 is usual.");
        }

        _classWeights = ChannelParameters.Validate(options.ClassWeights, "options.ClassWeights");
        _options = options.Clone();
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal FocalLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "focal";

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run(input, shape, target, inputGradient, terms: default);

    /// <summary>
    /// The unreduced loss of every element <c>[N,C,H,W]</c> (PyTorch's <c>reduction="none"</c>): a·f(p_t)·CE per
    /// element, before averaging and normalisation; ignored elements and, for softmax, non-target channels are 0.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Logits <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>N·C·H·W element losses.</returns>
    public double[] ComputeTerms<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var terms = new double[shape.ElementCount];
        Run(input, shape, target, default, terms);
        return terms;
    }

    /// <summary>The scalar reference path (tests compare the vectorized kernels against it).</summary>
    internal double ComputeScalar<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run(input, shape, target, inputGradient, terms: default, scalar: true);

    private double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, Span<double> terms, bool scalar = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        var focal = new FocalTerms(_options, _classWeights, shape.Classes);
        bool sigmoid = _options.Activation == Activation.Sigmoid;
        if (sigmoid && !scalar && terms.IsEmpty && typeof(T) == typeof(float) && FocalSigmoidVectorKernel.Applies(focal))
        {
            // The kernel validates the target itself (a label map without an ignore index row by row, on its threads).
            return FocalSigmoidVectorKernel.Run(focal, input, shape, target, inputGradient, nameof(target));
        }

        long countedElements = target.ValidateAndCount(shape, nameof(target));
        if (_options.Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        if (!sigmoid)
        {
            // A −∞ logit on a non-target channel leaves the softmax sum finite, so the sum cannot reveal it.
            FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        }

        if (scalar || !terms.IsEmpty)
        {
            if (sigmoid)
            {
                FiniteGuard.ThrowIfNotFinite(input, nameof(input));
            }

            return _options.Activation == Activation.Sigmoid
                ? FocalLossScalar.Sigmoid(focal, input, shape, target, inputGradient, terms)
                : FocalLossScalar.Softmax(focal, input, shape, target, inputGradient, terms);
        }

        return sigmoid
            ? FocalSigmoidKernel.Run(focal, input, shape, target, countedElements, inputGradient)
            : FocalSoftmaxKernel.Run(focal, input, shape, target, inputGradient);
    }
}
