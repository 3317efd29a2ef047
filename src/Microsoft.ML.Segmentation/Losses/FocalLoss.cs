using System;
using System.Buffers;
using System.Numerics;
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
        _options = new FocalLossOptions
        {
            Activation = options.Activation,
            Gamma = options.Gamma,
            Alpha = options.Alpha,
            Normalized = options.Normalized,
            NormalizationEpsilon = options.NormalizationEpsilon,
            ReducedThreshold = options.ReducedThreshold,
            Averaging = options.Averaging,
        };
    }

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

    private double Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient, Span<double> terms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (_options.Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; use Activation.Sigmoid for a binary model with one logit.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        var focal = new FocalTerms(_options, _classWeights, shape.Classes);
        return _options.Activation == Activation.Sigmoid
            ? SigmoidFocal(focal, input, shape, target, inputGradient, terms)
            : SoftmaxFocal(focal, input, shape, target, inputGradient, terms);
    }

    private double SigmoidFocal<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient, Span<double> elementLosses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        T[] rented = ArrayPool<T>.Shared.Rent(2 * s);
        try
        {
            Span<T> t = rented.AsSpan(0, s);
            Span<T> v = rented.AsSpan(s, s);
            double lossSum = 0, factorSum = 0, count = 0;
            for (int pass = 0; pass < (gradient.IsEmpty ? 1 : 2); pass++)
            {
                (double scale, double normalizerTerm) = pass == 1 ? terms.Scales(lossSum, factorSum, Denominator(shape, count, elementwise: true)) : (0, 0);
                for (int n = 0; n < shape.Batch; n++)
                {
                    for (int k = 0; k < shape.Classes; k++)
                    {
                        target.FillRow(shape, n, k, t, v);
                        int offset = ((n * shape.Classes) + k) * s;
                        for (int i = 0; i < s; i++)
                        {
                            if (v[i] == T.Zero)
                            {
                                if (pass == 1)
                                {
                                    gradient[offset + i] = T.Zero;
                                }

                                continue;
                            }

                            double x = double.CreateTruncating(input[offset + i]);
                            double ti = double.CreateTruncating(t[i]);
                            double p = 1 / (1 + Math.Exp(-x));
                            double bce = BinaryCrossEntropyLoss.Softplus(x) - (x * ti);
                            double pt = (p * ti) + ((1 - p) * (1 - ti));
                            double a = terms.SigmoidWeight(k, ti);
                            (double f, double df) = terms.Factor(pt);
                            if (pass == 0)
                            {
                                lossSum += a * f * bce;
                                if (!elementLosses.IsEmpty)
                                {
                                    elementLosses[offset + i] = a * f * bce;
                                }

                                factorSum += f;
                                count++;
                                continue;
                            }

                            double dpt = ((2 * ti) - 1) * p * (1 - p);
                            double dLoss = a * ((df * dpt * bce) + (f * (p - ti)));
                            gradient[offset + i] = T.CreateTruncating((scale * dLoss) - (normalizerTerm * df * dpt));
                        }
                    }
                }
            }

            return terms.Value(lossSum, factorSum, Denominator(shape, count, elementwise: true));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    private double SoftmaxFocal<T>(FocalTerms terms, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> gradient, Span<double> elementLosses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        int c = shape.Classes;
        T[] logpBuffer = ArrayPool<T>.Shared.Rent(input.Length);
        double[] pixel = ArrayPool<double>.Shared.Rent(3 * c);
        try
        {
            Span<T> logp = logpBuffer.AsSpan(0, input.Length);
            ActivationKernels.LogSoftmax(input, shape, logp);
            Span<double> q = pixel.AsSpan(0, c);
            Span<double> u = pixel.AsSpan(c, c);
            Span<double> uFactor = pixel.AsSpan(2 * c, c);
            double lossSum = 0, factorSum = 0, count = 0;
            for (int pass = 0; pass < (gradient.IsEmpty ? 1 : 2); pass++)
            {
                (double scale, double normalizerTerm) = pass == 1 ? terms.Scales(lossSum, factorSum, Denominator(shape, count, elementwise: false)) : (0, 0);
                for (int n = 0; n < shape.Batch; n++)
                {
                    int image = n * c * s;
                    for (int i = 0; i < s; i++)
                    {
                        if (!PixelTarget(target, shape, n, i, q))
                        {
                            if (pass == 1)
                            {
                                for (int k = 0; k < c; k++)
                                {
                                    gradient[image + (k * s) + i] = T.Zero;
                                }
                            }

                            continue;
                        }

                        double uSum = 0, uFactorSum = 0;
                        for (int k = 0; k < c; k++)
                        {
                            u[k] = 0;
                            uFactor[k] = 0;
                            if (q[k] == 0)
                            {
                                continue;
                            }

                            double lp = double.CreateTruncating(logp[image + (k * s) + i]);
                            double p = Math.Exp(lp);
                            double a = q[k] * terms.SoftmaxWeight(k);
                            (double f, double df) = terms.Factor(p);
                            if (pass == 0)
                            {
                                lossSum -= a * f * lp;
                                if (!elementLosses.IsEmpty)
                                {
                                    elementLosses[image + (k * s) + i] = -a * f * lp;
                                }

                                factorSum += q[k] * f;
                                continue;
                            }

                            // h(p) = f(p)·(−log p); ∂/∂x_j of Σ_k a_k h(p_k) = u_j − p_j Σ u, with u_k = a_k p_k h′(p_k).
                            u[k] = a * p * ((-df * lp) - (f / p));
                            uFactor[k] = q[k] * p * df;
                            uSum += u[k];
                            uFactorSum += uFactor[k];
                        }

                        if (pass == 0)
                        {
                            count++;
                            continue;
                        }

                        for (int j = 0; j < c; j++)
                        {
                            double pj = Math.Exp(double.CreateTruncating(logp[image + (j * s) + i]));
                            double dLoss = u[j] - (pj * uSum);
                            double dFactor = uFactor[j] - (pj * uFactorSum);
                            gradient[image + (j * s) + i] = T.CreateTruncating((scale * dLoss) - (normalizerTerm * dFactor));
                        }
                    }
                }
            }

            return terms.Value(lossSum, factorSum, Denominator(shape, count, elementwise: false));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(logpBuffer);
            ArrayPool<double>.Shared.Return(pixel);
        }
    }

    /// <summary>Writes the pixel's target distribution into <paramref name="q"/>; false if the pixel is ignored.</summary>
    private static bool PixelTarget<T>(SegmentationTarget<T> target, SegmentationShape shape, int n, int i, Span<double> q)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int s = shape.PixelsPerImage;
        if (target.IsLabelMap)
        {
            int label = target.Labels[(n * s) + i];
            if (label == (target.IgnoreIndex ?? int.MinValue))
            {
                return false;
            }

            q.Clear();
            q[label] = 1;
            return true;
        }

        for (int k = 0; k < shape.Classes; k++)
        {
            T value = target.Dense[(((n * shape.Classes) + k) * s) + i];
            if (T.IsNaN(value))
            {
                return false;
            }

            q[k] = double.CreateTruncating(value);
        }

        return true;
    }

    private double Denominator(SegmentationShape shape, double validTerms, bool elementwise) => _options.Averaging switch
    {
        PointwiseAveraging.Sum => 1,
        PointwiseAveraging.All => elementwise ? shape.ElementCount : shape.PixelCount,
        PointwiseAveraging.ValidElements => elementwise ? validTerms : validTerms * shape.Classes,
        _ => validTerms,
    };
}
