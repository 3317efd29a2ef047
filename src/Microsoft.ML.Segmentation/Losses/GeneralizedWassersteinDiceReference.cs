using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The Generalized Wasserstein Dice loss written out pixel by pixel in <see cref="double"/>, on one thread, with the
/// O(C²) sums per pixel as the formula states them: the oracle <see cref="WassersteinDiceKernel"/> is tested against
/// (it was the loss itself until 2026-12-07, about 1 s on [8, 21, 256, 256]).
/// </summary>
internal static class GeneralizedWassersteinDiceReference
{
    /// <summary>One loss per image; writes ∂(reduced loss)/∂input to <paramref name="inputGradient"/> when it is not empty.</summary>
    public static double[] Run<T>(GeneralizedWassersteinDiceLoss loss, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        int c = shape.Classes;
        if (c != loss.Classes)
        {
            throw new ArgumentException($"The distance matrix is {loss.Classes}×{loss.Classes} but the input has {c} channels.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        var probabilities = new T[input.Length];
        ActivationKernels.Apply(loss.Activation, input, shape, probabilities);
        int s = shape.PixelsPerImage;
        var losses = new double[shape.Batch];
        bool wantGradient = !inputGradient.IsEmpty;
        double scale = loss.Reduction == LossReduction.Mean ? 1.0 / shape.Batch : 1.0;
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
                if (loss.Weighting == WassersteinDiceWeighting.Default)
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

                Errors(loss, probabilities, offset, s, i, w);
                for (int l = 0; l < c; l++)
                {
                    truePositives += t[l, i] * alpha[l] * (1 - w[l]);
                    errors += t[l, i] * w[l];
                    generalizedDenominator += t[l, i] * alpha[l] * (2 - w[l]);
                }
            }

            double denominatorCore = loss.Weighting == WassersteinDiceWeighting.Default ? (2 * truePositives) + errors : generalizedDenominator;
            double numerator = (2 * truePositives) + loss.SmoothNumerator;
            double denominator = denominatorCore + loss.SmoothDenominator;
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
                        a += t[l, i] * alpha[l] * loss.Distance(l, k);
                        b += t[l, i] * loss.Distance(l, k);
                    }

                    double byDenominator = loss.Weighting == WassersteinDiceWeighting.Default ? (-2 * a) + b : -a;
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

            ActivationKernels.Backward(loss.Activation, probabilities, inputGradient, shape);
        }

        return losses;
    }

    /// <summary>W_l = Σ_k M[l, k]·p_k for one pixel.</summary>
    private static void Errors<T>(GeneralizedWassersteinDiceLoss loss, ReadOnlySpan<T> probabilities, int offset, int s, int i, Span<double> w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = w.Length;
        for (int l = 0; l < c; l++)
        {
            double sum = 0;
            for (int k = 0; k < c; k++)
            {
                sum += loss.Distance(l, k) * double.CreateTruncating(probabilities[offset + (k * s) + i]);
            }

            w[l] = sum;
        }
    }
}
