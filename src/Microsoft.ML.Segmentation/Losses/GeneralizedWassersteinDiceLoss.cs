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
/// <para>Computed in two passes over the tensor (<see cref="WassersteinDiceKernel"/>: per-class sums, then the gradient as
/// one coefficient per pixel times a term the first pass wrote), parallel over runs of pixels; the formula written out
/// pixel by pixel is kept as <see cref="GeneralizedWassersteinDiceReference"/>, the tests' oracle. A dense target's pixel
/// with NaN in any channel is ignored.</para>
/// <para>Thread safety: immutable once constructed (the options are copied); <c>Compute</c> may run on several threads at once.</para>
/// </remarks>
public sealed class GeneralizedWassersteinDiceLoss : ISegmentationLoss
{
    private readonly double[,] _distances;
    private readonly double[] _rowMajor; // the same, M[l,k] at l·C + k, for the kernel

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

        _rowMajor = new double[c * c];
        for (int l = 0; l < c; l++)
        {
            for (int k = 0; k < c; k++)
            {
                _rowMajor[(l * c) + k] = _distances[l, k];
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
        int c = shape.Classes;
        if (c != Classes)
        {
            throw new ArgumentException($"The distance matrix is {Classes}×{Classes} but the input has {c} channels.", nameof(input));
        }

        if (target.IsLabelMap)
        {
            target.Validate(shape, nameof(target)); // a dense target's infinite values are found in the kernel's read
        }

        int ignore = target.IgnoreIndex ?? int.MinValue;
        bool softmax = Activation == Activation.Softmax;
        bool perClass = !target.IsLabelMap || Weighting == WassersteinDiceWeighting.GeneralizedDice;
        int slots = WassersteinDiceKernel.SlotsPerImage(c);
        var sums = new double[shape.Batch * slots];
        if (!WassersteinDiceKernel.Forward(input, shape, target.Labels, target.Dense, ignore, softmax, perClass, _rowMajor, sums, inputGradient))
        {
            // The kernel found an infinite target or an input that is not finite: the guards name the element.
            target.Validate(shape, nameof(target));
            FiniteGuard.ThrowIfNotFinite(input, nameof(input));
            throw new InvalidOperationException("The Wasserstein Dice kernel reported a non-finite value that neither the target's nor the input's check found.");
        }

        var losses = new double[shape.Batch];
        var coefficients = new double[shape.Batch * c];
        double scale = Reduction == LossReduction.Mean ? 1.0 / shape.Batch : 1.0;
        var alpha = new double[c];
        for (int n = 0; n < shape.Batch; n++)
        {
            ReadOnlySpan<double> image = sums.AsSpan(n * slots, slots);
            double volume = image[2 * c], errors = image[(2 * c) + 1];
            double truePositives, denominatorCore;
            if (Weighting == WassersteinDiceWeighting.Default)
            {
                // α = 0 for class 0, 1 for the others: TP = Σ_{l ≥ 1} (n_l − Q_l).
                alpha.AsSpan().Fill(1);
                alpha[0] = 0;
                truePositives = (volume - image[0]) - (errors - image[1]);
                denominatorCore = (2 * truePositives) + errors;
            }
            else
            {
                truePositives = 0;
                denominatorCore = 0;
                for (int l = 0; l < c; l++)
                {
                    alpha[l] = 1 / (image[2 * l] + 1);
                    truePositives += alpha[l] * (image[2 * l] - image[(2 * l) + 1]);
                    denominatorCore += alpha[l] * ((2 * image[2 * l]) - image[(2 * l) + 1]);
                }
            }

            double numerator = (2 * truePositives) + SmoothNumerator;
            double denominator = denominatorCore + SmoothDenominator;
            losses[n] = 1 - (numerator / denominator);

            // ∂TP/∂p_k = −A_k with A_k = Σ_l t_l α_l M[l,k], ∂errors/∂p_k = B_k = Σ_l t_l M[l,k]; ∂loss/∂p_k =
            // c₁A_k + c₂B_k = Σ_l t_l (c₁α_l + c₂) M[l,k], with c₁ = (2D − 2N)/D², c₂ = N/D² (default: ∂D = −2A + B)
            // or c₁ = (2D − N)/D², c₂ = 0 (GDL: ∂D = −A).
            double squared = denominator * denominator;
            (double c1, double c2) = Weighting == WassersteinDiceWeighting.Default
                ? (((2 * denominator) - (2 * numerator)) / squared, numerator / squared)
                : (((2 * denominator) - numerator) / squared, 0.0);
            for (int l = 0; l < c; l++)
            {
                coefficients[(n * c) + l] = scale * ((c1 * alpha[l]) + c2);
            }
        }

        if (!inputGradient.IsEmpty)
        {
            WassersteinDiceKernel.Backward(shape, target.Labels, target.Dense, ignore, softmax, _rowMajor, coefficients, inputGradient);
        }

        return losses;
    }
}
