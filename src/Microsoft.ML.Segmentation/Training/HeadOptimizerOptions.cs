namespace Microsoft.ML.Segmentation.Training;

/// <summary>Options of the optimisers that train a <see cref="SegmentationHead"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class HeadOptimizerOptions
{
    /// <summary>The update rule. Default: <see cref="HeadOptimizerKind.Adam"/>.</summary>
    public HeadOptimizerKind Kind { get; set; } = HeadOptimizerKind.Adam;

    /// <summary>SGD momentum μ. Default: 0.9; range [0, 1).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD: use Nesterov momentum. Default: <see langword="false"/>.</summary>
    public bool Nesterov { get; set; }

    /// <summary>Adam β1. Default: 0.9; range [0, 1).</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Adam β2. Default: 0.999; range [0, 1).</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam ε. Default: 1e-8; positive.</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>
    /// Weight decay λ, applied to weights only, never to biases. SGD adds λ·w to the gradient (L2 regularisation);
    /// Adam does the same unless <see cref="DecoupledWeightDecay"/>. Default: 0; range ≥ 0.
    /// </summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// Adam: decay weights directly, w ← w − lr·λ·w, before the Adam update (AdamW, Loshchilov and Hutter) instead of
    /// adding λ·w to the gradient. Default: <see langword="true"/>.
    /// </summary>
    public bool DecoupledWeightDecay { get; set; } = true;

    /// <summary>A copy whose later changes do not reach this instance (and the reverse).</summary>
    /// <returns>New options with the same values.</returns>
    public HeadOptimizerOptions Clone() => (HeadOptimizerOptions)MemberwiseClone();
}
