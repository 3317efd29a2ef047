using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// <see cref="AsymmetricUnifiedFocalLoss"/> written out pixel by pixel in <see cref="double"/> on one thread: the
/// oracle its kernel is tested against (it was the loss itself until 2026-12-07, 0.47× PyTorch on [8, 2, 256, 256]).
/// </summary>
internal static class AsymmetricUnifiedFocalReference
{
    /// <summary>The loss and its gradient pixel by pixel in <see cref="double"/>.</summary>
    public static double Compute<T>(AsymmetricUnifiedFocalLoss loss, ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        loss.ValidateArguments(input, shape, target, inputGradient);

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        var probabilities = new T[input.Length];
        ActivationKernels.Apply(loss.Activation, input, shape, probabilities);
        bool single = shape.Classes == 1;
        int s = shape.PixelsPerImage;
        int batch = shape.Batch;

        // Rows per image: clamped background / foreground probabilities, targets and validity.
        var p = new double[batch, 2, s];
        var inside = new bool[batch, 2, s];
        var t = new double[batch, 2, s];
        var valid = new bool[batch, s];
        var row = new T[s];
        var mask = new T[s];
        double count = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int k = 0; k < shape.Classes; k++)
            {
                target.FillRow(shape, n, k, row, mask);
                for (int i = 0; i < s; i++)
                {
                    double raw = double.CreateTruncating(probabilities[(((n * shape.Classes) + k) * s) + i]);
                    double y = double.CreateTruncating(row[i]);
                    int channel = single ? 1 : k;
                    Clamp(loss, raw, n, channel, i, p, inside);
                    t[n, channel, i] = y;
                    if (single)
                    {
                        Clamp(loss, 1 - raw, n, 0, i, p, inside);
                        t[n, 0, i] = 1 - y;
                    }

                    valid[n, i] = k == 0 ? mask[i] != T.Zero : valid[n, i] && mask[i] != T.Zero;
                }
            }

            for (int i = 0; i < s; i++)
            {
                count += valid[n, i] ? 1 : 0;
            }
        }

        bool wantGradient = !inputGradient.IsEmpty;
        var gradient = new double[batch, 2, s]; // ∂loss/∂(clamped p)
        double focal = 0;
        if (loss.Weight > 0 && count > 0)
        {
            for (int n = 0; n < batch; n++)
            {
                for (int i = 0; i < s; i++)
                {
                    if (!valid[n, i])
                    {
                        continue;
                    }

                    double p0 = p[n, 0, i], p1 = p[n, 1, i];
                    double background = t[n, 0, i] * -Math.Log(p0);
                    double modulation = Math.Pow(1 - p0, loss.Gamma);
                    focal += ((1 - loss.Delta) * modulation * background) + (loss.Delta * t[n, 1, i] * -Math.Log(p1));
                    if (wantGradient)
                    {
                        double byModulation = loss.Gamma == 0 ? 0 : -loss.Gamma * Math.Pow(1 - p0, loss.Gamma - 1) * background;
                        gradient[n, 0, i] += loss.Weight * (1 - loss.Delta) * (byModulation - (modulation * t[n, 0, i] / p0)) / count;
                        gradient[n, 1, i] += loss.Weight * -loss.Delta * t[n, 1, i] / p1 / count;
                    }
                }
            }

            focal /= count;
        }

        double tversky = 0;
        if (loss.Weight < 1)
        {
            for (int n = 0; n < batch; n++)
            {
                for (int k = 0; k < 2; k++)
                {
                    double tp = 0, fn = 0, fp = 0;
                    for (int i = 0; i < s; i++)
                    {
                        if (valid[n, i])
                        {
                            tp += t[n, k, i] * p[n, k, i];
                            fn += t[n, k, i] * (1 - p[n, k, i]);
                            fp += (1 - t[n, k, i]) * p[n, k, i];
                        }
                    }

                    double numerator = tp + loss.Epsilon;
                    double denominator = tp + (loss.Delta * fn) + ((1 - loss.Delta) * fp) + loss.Epsilon;
                    double index = numerator / denominator;
                    double miss = 1 - index;
                    double term = k == 0 ? miss : (miss > 0 ? Math.Pow(miss, 1 - loss.Gamma) : 0);
                    double byIndex = k == 0 ? -1 : (miss > 0 ? -(1 - loss.Gamma) * Math.Pow(miss, -loss.Gamma) : 0);
                    tversky += term;
                    if (wantGradient)
                    {
                        // ∂tp/∂p = t, ∂fn/∂p = −t, ∂fp/∂p = 1 − t, so ∂denominator/∂p = 1 − δ.
                        for (int i = 0; i < s; i++)
                        {
                            if (valid[n, i])
                            {
                                double byP = ((t[n, k, i] * denominator) - (numerator * (1 - loss.Delta))) / (denominator * denominator);
                                gradient[n, k, i] += (1 - loss.Weight) * byIndex * byP / (2 * batch);
                            }
                        }
                    }
                }
            }

            tversky /= 2 * batch;
        }

        if (wantGradient)
        {
            for (int n = 0; n < batch; n++)
            {
                for (int i = 0; i < s; i++)
                {
                    double g1 = inside[n, 1, i] ? gradient[n, 1, i] : 0;
                    double g0 = inside[n, 0, i] ? gradient[n, 0, i] : 0;
                    if (single)
                    {
                        inputGradient[(n * s) + i] = T.CreateTruncating(g1 - g0);
                    }
                    else
                    {
                        inputGradient[(n * 2 * s) + i] = T.CreateTruncating(g0);
                        inputGradient[(((n * 2) + 1) * s) + i] = T.CreateTruncating(g1);
                    }
                }
            }

            ActivationKernels.Backward(loss.Activation, probabilities, inputGradient, shape);
        }

        return (loss.Weight * focal) + ((1 - loss.Weight) * tversky);
    }

    private static void Clamp(AsymmetricUnifiedFocalLoss loss, double raw, int n, int channel, int i, double[,,] p, bool[,,] inside)
    {
        // torch.clamp passes the gradient where min ≤ x ≤ max.
        inside[n, channel, i] = raw >= loss.Epsilon && raw <= 1 - loss.Epsilon;
        p[n, channel, i] = Math.Clamp(raw, loss.Epsilon, 1 - loss.Epsilon);
    }
}
