using System;
using System.Numerics;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// The asymmetric unified focal loss (Yeung et al. 2022), as MONAI 1.5.0's <c>AsymmetricUnifiedFocalLoss</c>; its two
/// parts, <c>AsymmetricFocalLoss</c> and <c>AsymmetricFocalTverskyLoss</c>, are <see cref="AsymmetricUnifiedFocalLossOptions.Weight"/> 1 and 0.
/// </summary>
/// <remarks>
/// <para>Binary only: channel 0 is the background and 1 the foreground; with one channel p is the foreground and 1 − p
/// the background. Probabilities are clamped to [ε, 1 − ε]. The focal part is the mean over images and pixels of
/// <c>(1 − δ)·(1 − p₀)^γ·(−t₀ log p₀) + δ·(−t₁ log p₁)</c>; the Tversky part has per image and class
/// <c>TI = (tp + ε)/(tp + δ·fn + (1 − δ)·fp + ε)</c> and is the mean over the 2N terms <c>1 − TI₀</c> and
/// <c>(1 − TI₁)^(1 − γ)</c>. The loss is <c>λ·focal + (1 − λ)·Tversky</c>.</para>
/// <para>The gradient is exact (0 where the clamp is active). Ignored target pixels are left out of every sum and of the
/// focal mean. MONAI raises when the target has no foreground; SegML computes the loss.</para>
/// <para>Thread safety: immutable once constructed; <c>Compute</c> may run on several threads at once.</para>
/// </remarks>
public sealed class AsymmetricUnifiedFocalLoss : ISegmentationLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (MONAI's <c>AsymmetricUnifiedFocalLoss()</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public AsymmetricUnifiedFocalLoss(AsymmetricUnifiedFocalLossOptions? options = null)
    {
        options ??= new AsymmetricUnifiedFocalLossOptions();
        if (options.Activation is not (Activation.None or Activation.Softmax))
        {
            throw new ArgumentOutOfRangeException("options.Activation", options.Activation, "The unified focal loss takes probabilities or two-channel softmax logits.");
        }

        if (!(options.Weight >= 0 && options.Weight <= 1))
        {
            throw new ArgumentOutOfRangeException("options.Weight", options.Weight, "Weight must lie in [0, 1].");
        }

        if (!double.IsFinite(options.Gamma) || options.Gamma < 0)
        {
            throw new ArgumentOutOfRangeException("options.Gamma", options.Gamma, "Gamma must be finite and ≥ 0.");
        }

        if (!(options.Delta >= 0 && options.Delta <= 1))
        {
            throw new ArgumentOutOfRangeException("options.Delta", options.Delta, "Delta must lie in [0, 1].");
        }

        if (!(options.Epsilon >= 0 && options.Epsilon < 0.5))
        {
            throw new ArgumentOutOfRangeException("options.Epsilon", options.Epsilon, "Epsilon must lie in [0, 0.5).");
        }

        Activation = options.Activation;
        Weight = options.Weight;
        Gamma = options.Gamma;
        Delta = options.Delta;
        Epsilon = options.Epsilon;
        SavedOptions = LossOptionsSnapshot.Copy(options);
    }

    /// <summary>A copy of the settings this loss was built with, for saving it (SegML's model file).</summary>
    internal AsymmetricUnifiedFocalLossOptions SavedOptions { get; }

    /// <inheritdoc/>
    public string Name => Weight switch { 1 => "asymmetric_focal", 0 => "asymmetric_focal_tversky", _ => "asymmetric_unified_focal" };

    /// <summary>The activation applied to the input.</summary>
    public Activation Activation { get; }

    /// <summary>λ, the weight of the focal part.</summary>
    public double Weight { get; }

    /// <summary>The focal exponent γ.</summary>
    public double Gamma { get; }

    /// <summary>The asymmetry δ.</summary>
    public double Delta { get; }

    /// <summary>The clamp and smoothing ε.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public double Compute<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, Span<T> inputGradient = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        shape.ValidateScores(input.Length, nameof(input));
        shape.ValidateGradient(inputGradient.Length, nameof(inputGradient));
        target.Validate(shape, nameof(target));
        if (shape.Classes > 2)
        {
            throw new ArgumentException($"The asymmetric unified focal loss is binary: the input has {shape.Classes} channels (one or two allowed).", nameof(input));
        }

        if (Activation == Activation.Softmax && shape.Classes == 1)
        {
            throw new ArgumentException("A softmax over one channel is constant 1; pass the foreground probability with Activation.None.", nameof(input));
        }

        FiniteGuard.ThrowIfNotFinite(input, nameof(input));
        var probabilities = new T[input.Length];
        ActivationKernels.Apply(Activation, input, shape, probabilities);
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
                    Clamp(raw, n, channel, i, p, inside);
                    t[n, channel, i] = y;
                    if (single)
                    {
                        Clamp(1 - raw, n, 0, i, p, inside);
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
        if (Weight > 0 && count > 0)
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
                    double modulation = Math.Pow(1 - p0, Gamma);
                    focal += ((1 - Delta) * modulation * background) + (Delta * t[n, 1, i] * -Math.Log(p1));
                    if (wantGradient)
                    {
                        double byModulation = Gamma == 0 ? 0 : -Gamma * Math.Pow(1 - p0, Gamma - 1) * background;
                        gradient[n, 0, i] += Weight * (1 - Delta) * (byModulation - (modulation * t[n, 0, i] / p0)) / count;
                        gradient[n, 1, i] += Weight * -Delta * t[n, 1, i] / p1 / count;
                    }
                }
            }

            focal /= count;
        }

        double tversky = 0;
        if (Weight < 1)
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

                    double numerator = tp + Epsilon;
                    double denominator = tp + (Delta * fn) + ((1 - Delta) * fp) + Epsilon;
                    double index = numerator / denominator;
                    double miss = 1 - index;
                    double term = k == 0 ? miss : (miss > 0 ? Math.Pow(miss, 1 - Gamma) : 0);
                    double byIndex = k == 0 ? -1 : (miss > 0 ? -(1 - Gamma) * Math.Pow(miss, -Gamma) : 0);
                    tversky += term;
                    if (wantGradient)
                    {
                        // ∂tp/∂p = t, ∂fn/∂p = −t, ∂fp/∂p = 1 − t, so ∂denominator/∂p = 1 − δ.
                        for (int i = 0; i < s; i++)
                        {
                            if (valid[n, i])
                            {
                                double byP = ((t[n, k, i] * denominator) - (numerator * (1 - Delta))) / (denominator * denominator);
                                gradient[n, k, i] += (1 - Weight) * byIndex * byP / (2 * batch);
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

            ActivationKernels.Backward(Activation, probabilities, inputGradient, shape);
        }

        return (Weight * focal) + ((1 - Weight) * tversky);
    }

    private void Clamp(double raw, int n, int channel, int i, double[,,] p, bool[,,] inside)
    {
        // torch.clamp passes the gradient where min ≤ x ≤ max.
        inside[n, channel, i] = raw >= Epsilon && raw <= 1 - Epsilon;
        p[n, channel, i] = Math.Clamp(raw, Epsilon, 1 - Epsilon);
    }
}
