using System;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

public static partial class Monai
{
    /// <summary>
    /// MONAI 1.5.0 <c>AsymmetricUnifiedFocalLoss</c>: <c>weight·AsymmetricFocalLoss(gamma, delta) + (1 − weight)·AsymmetricFocalTverskyLoss(gamma, delta)</c>
    /// on binary probabilities (no activation). As MONAI, the target must have the input's shape: with two channels a
    /// label map is refused (MONAI's ValueError, whatever <paramref name="toOnehotY"/> says).
    /// </summary>
    /// <param name="toOnehotY">Recorded; MONAI 1.5.0 checks the shapes before it could apply it, so it changes nothing.</param>
    /// <param name="numClasses">Must be 2 (the loss is binary).</param>
    /// <param name="weight">λ of the focal part. Default 0.5.</param>
    /// <param name="gamma">γ of both parts. Default 0.5.</param>
    /// <param name="delta">δ of both parts. Default 0.7.</param>
    /// <param name="reduction">"mean", "sum" or "none": MONAI 1.5.0 returns the same scalar for each.</param>
    /// <returns>The preset; with one channel <see cref="PeerLoss.ForChannels"/> gives an <see cref="Losses.AsymmetricUnifiedFocalLoss"/> reading p as the foreground (MONAI casts single-channel probabilities to class indices; the two agree on 0/1 maps).</returns>
    /// <exception cref="NotSupportedException"><paramref name="numClasses"/> is not 2.</exception>
    public static PeerLoss AsymmetricUnifiedFocalLoss(bool toOnehotY = false, int numClasses = 2, double weight = 0.5, double gamma = 0.5, double delta = 0.7,
        string reduction = "mean")
    {
        if (numClasses != 2)
        {
            throw new NotSupportedException($"num_classes {numClasses}: MONAI 1.5.0's AsymmetricUnifiedFocalLoss is binary (num_classes=2).");
        }

        UnifiedReduction(reduction);
        var options = new AsymmetricUnifiedFocalLossOptions { Weight = weight, Gamma = gamma, Delta = delta };
        _ = new Losses.AsymmetricUnifiedFocalLoss(options); // checks the settings now
        var preset = new PeerPreset(typeof(Monai), nameof(AsymmetricUnifiedFocalLoss), (nameof(toOnehotY), toOnehotY), (nameof(numClasses), numClasses),
            (nameof(weight), weight), (nameof(gamma), gamma), (nameof(delta), delta), (nameof(reduction), reduction));
        return new PeerLoss("monai.AsymmetricUnifiedFocalLoss", c =>
        {
            var loss = new Losses.AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Weight = weight, Gamma = gamma, Delta = delta });
            return c == 1 ? loss : new SameShapeTargetLoss(loss, "AsymmetricUnifiedFocalLoss");
        }, preset);
    }

    /// <summary>MONAI 1.5.0 <c>AsymmetricFocalLoss</c>: the mean of <c>(1 − delta)·(1 − p₀)^gamma·CE₀ + delta·CE₁</c> over images and pixels.</summary>
    /// <param name="toOnehotY">MONAI's one-hot of a [B,1,…] target; in SegML a label-map target is one-hot already, so this is recorded only.</param>
    /// <param name="delta">The foreground's share. Default 0.7.</param>
    /// <param name="gamma">The background's focal exponent. Default 2.</param>
    /// <param name="epsilon">The clamp of the probabilities. Default 1e-7.</param>
    /// <param name="reduction">Ignored by MONAI 1.5.0 (always the mean); "mean", "sum" or "none".</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives an <see cref="Losses.AsymmetricUnifiedFocalLoss"/> with weight 1.</returns>
    public static PeerLoss AsymmetricFocalLoss(bool toOnehotY = false, double delta = 0.7, double gamma = 2, double epsilon = 1e-7, string reduction = "mean")
        => UnifiedPart(nameof(AsymmetricFocalLoss), 1, toOnehotY, delta, gamma, epsilon, reduction);

    /// <summary>MONAI 1.5.0 <c>AsymmetricFocalTverskyLoss</c>: the mean over images of <c>1 − TI₀</c> and <c>(1 − TI₁)^(1 − gamma)</c>, TI the Tversky index with δ on false negatives.</summary>
    /// <param name="toOnehotY">Recorded only (a SegML label map is one-hot already).</param>
    /// <param name="delta">The false-negative weight. Default 0.7.</param>
    /// <param name="gamma">The foreground's focal exponent. Default 0.75.</param>
    /// <param name="epsilon">The clamp and smoothing. Default 1e-7.</param>
    /// <param name="reduction">Ignored by MONAI 1.5.0 (always the mean); "mean", "sum" or "none".</param>
    /// <returns>The preset; <see cref="PeerLoss.ForChannels"/> gives an <see cref="Losses.AsymmetricUnifiedFocalLoss"/> with weight 0.</returns>
    public static PeerLoss AsymmetricFocalTverskyLoss(bool toOnehotY = false, double delta = 0.7, double gamma = 0.75, double epsilon = 1e-7, string reduction = "mean")
        => UnifiedPart(nameof(AsymmetricFocalTverskyLoss), 0, toOnehotY, delta, gamma, epsilon, reduction);

    private static PeerLoss UnifiedPart(string method, double weight, bool toOnehotY, double delta, double gamma, double epsilon, string reduction)
    {
        UnifiedReduction(reduction);
        AsymmetricUnifiedFocalLossOptions Options() => new() { Weight = weight, Gamma = gamma, Delta = delta, Epsilon = epsilon };
        _ = new Losses.AsymmetricUnifiedFocalLoss(Options()); // checks the settings now
        var preset = new PeerPreset(typeof(Monai), method, (nameof(toOnehotY), toOnehotY), (nameof(delta), delta), (nameof(gamma), gamma),
            (nameof(epsilon), epsilon), (nameof(reduction), reduction));
        return new PeerLoss("monai." + method, _ => new Losses.AsymmetricUnifiedFocalLoss(Options()), preset);
    }

    private static void UnifiedReduction(string reduction)
    {
        if (reduction is not ("mean" or "sum" or "none"))
        {
            throw new ArgumentException($"reduction '{reduction}' is not one of MONAI's \"mean\", \"sum\", \"none\".", nameof(reduction));
        }
    }
}
