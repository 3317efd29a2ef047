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
/// <para>Computed in two passes over blocks of pixels, in parallel (<see cref="UnifiedFocalKernel"/>); the formula written
/// out pixel by pixel is kept as <see cref="AsymmetricUnifiedFocalReference"/>, the tests' oracle.</para>
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
        ValidateArguments(input, shape, target, inputGradient);

        var settings = new UnifiedFocalKernel.Settings(Activation == Activation.Softmax, Weight, Gamma, Delta, Epsilon);
        if (UnifiedFocalKernel.Run(input, shape, target, settings, inputGradient) is not double value)
        {
            FiniteGuard.ThrowIfNotFinite(input, nameof(input)); // names the element
            throw new InvalidOperationException("The unified focal kernel reported an input that is not finite, which the input's check did not find.");
        }

        return value;
    }

    /// <summary>The checks of <see cref="Compute{T}"/>'s arguments, shared with the reference (the oracle takes what the loss takes).</summary>
    /// <exception cref="ArgumentException">A length does not match, a label is out of range, more than two channels, or a softmax of one.</exception>
    internal void ValidateArguments<T>(ReadOnlySpan<T> input, SegmentationShape shape, SegmentationTarget<T> target, ReadOnlySpan<T> inputGradient)
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
    }
}
