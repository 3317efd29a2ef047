using System;
using System.Collections.Generic;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Options of <see cref="MatthewsCorrelationLoss"/>.</summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; set it on one thread and do not change it while a
/// component built from it is in use.</remarks>
public sealed class MatthewsCorrelationLossOptions
{
    /// <summary>How the input becomes probabilities. Default: <see cref="Activation.Sigmoid"/> (one logit per channel).</summary>
    public Activation Activation { get; set; } = Activation.Sigmoid;

    /// <summary>Added to each of TP, TN, FP and FN (smp <c>MCCLoss(eps)</c>). Default: 1e-5; must be &gt; 0.</summary>
    public double Epsilon { get; set; } = 1e-5;
}
