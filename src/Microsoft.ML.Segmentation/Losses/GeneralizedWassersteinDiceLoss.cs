using System;
using System.Linq;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Generalized Wasserstein Dice loss (Fidon et al. 2017), as MONAI's <c>GeneralizedWassersteinDiceLoss</c> with the
/// per-image semantics of MONAI PR #8744 (MONAI ≤ 1.5.0 mixes the images of a batch).
/// </summary>
/// <remarks>
/// <para>With M the distance matrix divided by its largest entry, p the class probabilities and t the target of a pixel,
/// the pixel's Wasserstein error against its true class l is <c>W_l = Σ_c M[l, c]·p_c</c> (for a soft target, the
/// t-weighted mix over l). Per image: <c>TP = Σ_pixels Σ_l t_l·α_l·(1 − W_l)</c>; the denominator is
/// <c>2TP + Σ_pixels Σ_l t_l·W_l</c> (<see cref="WassersteinDiceWeighting.Default"/>, α = 0 for class 0, 1 otherwise) or
/// <c>Σ_pixels Σ_l t_l·α_l·(2 − W_l)</c> (<see cref="WassersteinDiceWeighting.GeneralizedDice"/>, α_l = 1/(pixels of l + 1));
/// the image's loss is <c>1 − (2TP + smooth_nr)/(denominator + smooth_dr)</c>, then the mean or sum over images.</para>
/// <para>The gradient is exact (the GDL weights count the target and are constants). Ignored target pixels add to no sum and no count.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads at once.</para>
/// </remarks>
public sealed class GeneralizedWassersteinDiceLoss : ISegmentationLoss
{
    private readonly double[,] _distances;

    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings, with <see cref="GeneralizedWassersteinDiceLossOptions.DistanceMatrix"/> set.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its distance matrix is null.</exception>
    /// <exception cref="ArgumentException">The distance matrix is not square, holds a negative or non-finite entry, or is all zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Another option is out of range.</exception>
    public GeneralizedWassersteinDiceLoss(GeneralizedWassersteinDiceLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DistanceMatrix is not { } matrix)
        {
            throw new ArgumentNullException("options.DistanceMatrix", "The Wasserstein Dice loss needs a C×C distance matrix between classes.");
        }

        int c = matrix.Count;
        if (c == 0 || matrix.Any(row => row is null || row.Count != c))
        {
            throw new ArgumentException("DistanceMatrix must be square (C rows of C entries), C ≥ 1.", "options.DistanceMatrix");
        }

        double largest = matrix.SelectMany(row => row).DefaultIfEmpty(0).Max();
        if (matrix.SelectMany(row => row).Any(d => !double.IsFinite(d) || d < 0) || largest <= 0)
        {
            throw new ArgumentException("DistanceMatrix entries must be finite and ≥ 0, and not all zero.", "options.DistanceMatrix");
        }

        if (!Enum.IsDefined(options.Weighting))
        {
            throw new ArgumentOutOfRangeException("options.Weighting", options.Weighting, "Unknown weighting.");
        }

        if (options.Activation is not (Activation.Softmax or Activation.None))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "The Wasserstein Dice loss takes softmax logits or probabilities.");
        }

        if (!Enum.IsDefined(options.Reduction))
        {
            throw new ArgumentOutOfRangeException("options.Reduction", options.Reduction, "Unknown reduction.");
        }

        if (!double.IsFinite(options.SmoothNumerator) || options.SmoothNumerator < 0 || !double.IsFinite(options.SmoothDenominator) || options.SmoothDenominator < 0)
        {
            throw new ArgumentOutOfRangeException("options.SmoothNumerator", "SmoothNumerator and SmoothDenominator must be finite and ≥ 0.");
        }

        // MONAI divides by the largest distance when it is not 1.
        _distances = new double[c, c];
        for (int l = 0; l < c; l++)
        {
            for (int k = 0; k < c; k++)
            {
                _distances[l, k] = largest == 1 ? matrix[l][k] : matrix[l][k] / largest;
            }
        }

        Weighting = options.Weighting;
        Activation = options.Activation;
        Reduction = options.Reduction;
        SmoothNumerator = options.SmoothNumerator;
        SmoothDenominator = options.SmoothDenominator;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal GeneralizedWassersteinDiceLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => "generalized_wasserstein_dice";

    /// <summary>The number of classes C the distance matrix is for.</summary>
    public int Classes => _distances.GetLength(0);

    /// <summary>The weighting of the true-positive term.</summary>
    public WassersteinDiceWeighting Weighting { get; }

    /// <summary>The activation applied to the input.</summary>
    public Activation Activation { get; }

    /// <summary>Mean or sum over the images.</summary>
    public LossReduction Reduction { get; }

    /// <summary>Added to the numerator.</summary>
    public double SmoothNumerator { get; }

    /// <summary>Added to the denominator.</summary>
    public double SmoothDenominator { get; }

    /// <summary>The normalised distance between true class <paramref name="trueClass"/> and predicted class <paramref name="predictedClass"/>.</summary>
    /// <param name="trueClass">Row, 0..C−1.</param>
    /// <param name="predictedClass">Column, 0..C−1.</param>
    /// <returns>M[true, predicted] / max(M).</returns>
    public double Distance(int trueClass, int predictedClass) => _distances[trueClass, predictedClass];

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] terms = Run(input, shape, target, inputGradient);
        double total = terms.Sum();
        return Reduction == LossReduction.Mean ? total / terms.Length : total;
    }

    /// <summary>One loss per image before the reduction (MONAI <c>reduction="none"</c>, shape <c>[N]</c>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="input">Scores <c>[N,C,H,W]</c>.</param>
    /// <param name="shape">The shape of <paramref name="input"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>N values.</returns>
    /// <exception cref="ArgumentException">Lengths or the class count do not match, a label is out of range, or the input is not finite.</exception>
    public double[] ComputeTerms<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Run(input, shape, target, default);

    private double[] Run<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        int c = shape.Classes;
        if (c != Classes)
        {
            throw new ArgumentException($"The distance matrix is {Classes}×{Classes} but the input has {c} channels.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        var probabilities = new T[input.Length];
        ActivationKernels.Apply(Activation, input, shape, probabilities);
        int s = shape.PixelsPerImage;
        var losses = new double[shape.Batch];
        bool wantGradient = !inputGradient.IsEmpty;
        double scale = Reduction == LossReduction.Mean ? 1.0 / shape.Batch : 1.0;
        var gradient = wantGradient ? new double[input.Length] : null;
        var row = new T[s];
        var valid = new T[s];
        for (int n = 0; n < shape.Batch; n++)
        {
            // t[l, i] and the pixel's validity (ignored in any channel: left out).
            var t = new double[c, s];
            var kept = new bool[s];
            Array.Fill(kept, true);
            for (int l = 0; l < c; l++)
            {
                target.FillRow(shape, n, l, row, valid);
                for (int i = 0; i < s; i++)
                {
                    t[l, i] = double.CreateTruncating(row[i]);
                    kept[i] &= valid[i] != T.Zero;
                }
            }

            var alpha = new double[c];
            for (int l = 0; l < c; l++)
            {
                if (Weighting == WassersteinDiceWeighting.Default)
                {
                    alpha[l] = l == 0 ? 0 : 1;
                }
                else
                {
                    double count = 0;
                    for (int i = 0; i < s; i++)
                    {
                        count += kept[i] ? t[l, i] : 0;
                    }

                    alpha[l] = 1 / (count + 1);
                }
            }

            int offset = n * c * s;
            double truePositives = 0, errors = 0, generalizedDenominator = 0;
            var w = new double[c];
            for (int i = 0; i < s; i++)
            {
                if (!kept[i])
                {
                    continue;
                }

                Errors(probabilities, offset, s, i, w);
                for (int l = 0; l < c; l++)
                {
                    truePositives += t[l, i] * alpha[l] * (1 - w[l]);
                    errors += t[l, i] * w[l];
                    generalizedDenominator += t[l, i] * alpha[l] * (2 - w[l]);
                }
            }

            double denominatorCore = Weighting == WassersteinDiceWeighting.Default ? (2 * truePositives) + errors : generalizedDenominator;
            double numerator = (2 * truePositives) + SmoothNumerator;
            double denominator = denominatorCore + SmoothDenominator;
            losses[n] = 1 - (numerator / denominator);
            if (gradient is null)
            {
                continue;
            }

            // ∂TP/∂p_k = −A_k with A_k = Σ_l t_l α_l M[l, k]; Σ W = Σ_l t_l M[l, k] =: B_k;
            // ∂denominator/∂p_k = −2A_k + B_k (default) or −A_k (GDL); ∂loss/∂p = −(2·∂TP·D − N·∂D)/D².
            for (int i = 0; i < s; i++)
            {
                if (!kept[i])
                {
                    continue;
                }

                for (int k = 0; k < c; k++)
                {
                    double a = 0, b = 0;
                    for (int l = 0; l < c; l++)
                    {
                        a += t[l, i] * alpha[l] * _distances[l, k];
                        b += t[l, i] * _distances[l, k];
                    }

                    double byDenominator = Weighting == WassersteinDiceWeighting.Default ? (-2 * a) + b : -a;
                    gradient[offset + (k * s) + i] = scale * -((-2 * a * denominator) - (numerator * byDenominator)) / (denominator * denominator);
                }
            }
        }

        if (gradient is not null)
        {
            for (int i = 0; i < gradient.Length; i++)
            {
                inputGradient[i] = T.CreateTruncating(gradient[i]);
            }

            ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
        }

        return losses;
    }

    /// <summary>W_l = Σ_k M[l, k]·p_k for one pixel.</summary>
    private void Errors<T>(ReadOnlySpan<T> probabilities, int offset, int s, int i, Span<double> w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = w.Length;
        for (int l = 0; l < c; l++)
        {
            double sum = 0;
            for (int k = 0; k < c; k++)
            {
                sum += _distances[l, k] * double.CreateTruncating(probabilities[offset + (k * s) + i]);
            }

            w[l] = sum;
        }
    }
}
