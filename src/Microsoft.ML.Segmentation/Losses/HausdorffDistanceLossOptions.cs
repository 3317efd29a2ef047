using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// Options of <see cref="HausdorffDistanceLoss"/>. The defaults are MONAI's <c>HausdorffDTLoss()</c>: probabilities
/// as given, α = 2, background channel left out, one term per (image, class), mean over the terms.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class HausdorffDistanceLossOptions
{
    /// <summary>
    /// How the input becomes probabilities (MONAI <c>sigmoid</c> / <c>softmax</c>). Default: <see cref="Activation.None"/>
    /// (the input already holds probabilities). A softmax needs at least two channels.
    /// </summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>The exponent α applied to each distance field (MONAI <c>alpha</c>). Default: 2; must be finite and ≥ 0.</summary>
    public double Alpha { get; set; } = 2;

    /// <summary>
    /// Keep channel 0 (MONAI <c>include_background</c>). Default: <see langword="false"/>. Ignored with one channel,
    /// which is always kept, as in MONAI.
    /// </summary>
    public bool IncludeBackground { get; set; }

    /// <summary>
    /// One term per (image, class), each the mean over that image's pixels (MONAI <c>batch=False</c>); otherwise one term
    /// per class, the mean over the pixels of the whole batch (<c>batch=True</c>). Default: <see langword="true"/>.
    /// </summary>
    public bool PerImage { get; set; } = true;

    /// <summary>Mean or sum over the terms (MONAI <c>reduction</c>). Default: <see cref="LossReduction.Mean"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// Return log(loss + 1) instead of the loss (MONAI <c>LogHausdorffDTLoss</c>); applied after the reduction, or to
    /// each term of <see cref="HausdorffDistanceLoss.ComputeTerms{T}"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool LogLoss { get; set; }

    /// <summary>
    /// The spatial axes of each image, row-major with the last axis fastest, for volumes: for example <c>[D, H, W]</c>
    /// with the tensor read as <c>[N, C, 1, D·H·W]</c> (any split whose H·W is the product works). The distance fields
    /// are then computed in that many dimensions. <see langword="null"/> for the tensor's own <c>[H, W]</c>.
    /// Default: <see langword="null"/>; each size must be ≥ 1, and their product must equal H·W of the input.
    /// </summary>
    public IReadOnlyList<int>? SpatialShape { get; set; }

    /// <summary>
    /// The distance between neighbouring pixels along each spatial axis (one entry per axis of
    /// <see cref="SpatialShape"/>, or two for <c>[H, W]</c>); <see langword="null"/> for 1 on every axis, as MONAI.
    /// Default: <see langword="null"/>; each must be finite and &gt; 0.
    /// </summary>
    public IReadOnlyList<double>? Spacing { get; set; }
}
