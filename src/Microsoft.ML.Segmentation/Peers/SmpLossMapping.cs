using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>segmentation_models.pytorch 0.5 conventions shared by the <see cref="Smp"/> loss presets.</summary>
internal static class SmpLossMapping
{
    public const string Binary = "binary";
    public const string Multiclass = "multiclass";
    public const string Multilabel = "multilabel";

    /// <summary>Checks smp's <c>mode</c>.</summary>
    public static string Mode(string mode) => mode is Binary or Multiclass or Multilabel
        ? mode
        : throw new ArgumentException($"mode '{mode}' is not one of smp's \"binary\", \"multiclass\", \"multilabel\".", nameof(mode));

    /// <summary>The activation <c>from_logits</c> asks for: softmax for multiclass, sigmoid otherwise.</summary>
    public static Activation Activation(string mode, bool fromLogits)
        => !fromLogits ? Losses.Activation.None : mode == Multiclass ? Losses.Activation.Softmax : Losses.Activation.Sigmoid;

    /// <summary>
    /// smp ≥ 0.4 overlap scores: per channel, batch and pixels pooled, soft-label intersection, (I + s)/max(I + αFP + βFN + s, ε),
    /// a channel with an empty target contributes 0, mean over channels (Σw·l/Σw with class weights).
    /// </summary>
    public static void Configure(OverlapLossOptions options, string mode, IReadOnlyList<int>? classes, bool logLoss, bool fromLogits,
        IReadOnlyList<double>? classWeights)
    {
        if (classWeights is not null && mode == Binary)
        {
            throw new ArgumentException("class_weights are not allowed in smp's binary mode (one channel).", nameof(classWeights));
        }

        if (classes is not null && mode == Binary)
        {
            throw new ArgumentException("classes are not allowed in smp's binary mode (one channel).", nameof(classes));
        }

        options.Activation = Activation(mode, fromLogits);
        options.SoftLabels = true;
        options.PerImage = false;
        options.EmptyTarget = EmptyTargetPolicy.ZeroLoss;
        options.LogLoss = logLoss;
        options.ClassIndices = classes?.ToArray();
        options.ClassWeights = classWeights?.ToArray();
        options.WeightNormalization = ClassWeightNormalization.SumOfWeights;
    }
}
