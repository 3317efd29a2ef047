using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce segmentation_models.pytorch (smp 0.3.4 dev, master @ bd7f877): <c>smp.metrics</c> and
/// <c>smp.losses</c>, with smp's own parameter names (camelCase) and defaults. The metric functions take the per-image
/// statistics of <see cref="GetStats"/> and reduce them as smp's <c>_compute_metric</c> does, quirks included: class
/// weights are normalised to sum 1 and <c>macro</c>, <c>macro-imagewise</c> and <c>weighted-imagewise</c> then still divide by
/// C; <c>zero_division</c> replaces undefined scores everywhere except in <c>micro</c>.
/// </summary>
public static partial class Smp
{
    /// <summary>smp <c>fbeta_score</c>: (1 + β²)TP / ((1 + β²)TP + β²FN + FP).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="beta">smp <c>beta</c>. Default: 1.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] FbetaScore(IReadOnlyList<ConfusionCounts> stats, double beta = 1.0, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FBeta, stats, reduction, classWeights, zeroDivision, beta);

    /// <summary>smp <c>f1_score</c>: F1 score, 2TP / (2TP + FP + FN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] F1Score(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FBeta, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>iou_score</c>: IoU (Jaccard index), TP / (TP + FP + FN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] IouScore(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Iou, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>accuracy</c>: accuracy, (TP + TN) / (TP + FP + FN + TN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] Accuracy(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Accuracy, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>precision</c>: precision (positive predictive value), TP / (TP + FP).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] Precision(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Precision, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>recall</c>: recall (sensitivity), TP / (TP + FN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] Recall(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Recall, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>sensitivity</c>: sensitivity (recall, hit rate, TPR), TP / (TP + FN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] Sensitivity(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Recall, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>specificity</c>: specificity (TNR), TN / (TN + FP).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] Specificity(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Specificity, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>balanced_accuracy</c>: balanced accuracy, (TPR + TNR) / 2.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] BalancedAccuracy(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.BalancedAccuracy, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>positive_predictive_value</c>: positive predictive value, TP / (TP + FP).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] PositivePredictiveValue(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.Precision, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>negative_predictive_value</c>: negative predictive value, TN / (TN + FN).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] NegativePredictiveValue(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.NegativePredictiveValue, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>false_negative_rate</c>: false negative rate, 1 − TPR.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] FalseNegativeRate(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FalseNegativeRate, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>false_positive_rate</c>: false positive rate, 1 − TNR.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] FalsePositiveRate(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FalsePositiveRate, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>false_discovery_rate</c>: false discovery rate, 1 − PPV.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] FalseDiscoveryRate(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FalseDiscoveryRate, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>false_omission_rate</c>: false omission rate, 1 − NPV.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] FalseOmissionRate(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.FalseOmissionRate, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>positive_likelihood_ratio</c>: positive likelihood ratio, TPR / (1 − TNR) (+∞ when the false positive rate is 0).</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] PositiveLikelihoodRatio(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.PositiveLikelihoodRatio, stats, reduction, classWeights, zeroDivision);

    /// <summary>smp <c>negative_likelihood_ratio</c>: negative likelihood ratio, (1 − TPR) / TNR.</summary>
    /// <param name="stats">The statistics of <see cref="GetStats"/> (smp's tp, fp, fn, tn): one entry per image, each with C classes.</param>
    /// <param name="reduction">smp <c>reduction</c>: "micro", "macro", "weighted", "micro-imagewise", "macro-imagewise", "weighted-imagewise", "none" or null. Default: null (none).</param>
    /// <param name="classWeights">smp <c>class_weights</c> (normalised to sum 1; required by the weighted reductions). Default: null.</param>
    /// <param name="zeroDivision">smp <c>zero_division</c>: the value of an undefined score (not applied by <c>micro</c>); smp's "warn" is 0. Default: 1.</param>
    /// <returns>One value, or N·C values (image-major) for none.</returns>
    /// <exception cref="ArgumentException">An unknown reduction, missing or mismatched class weights, or no statistics.</exception>
    public static double[] NegativeLikelihoodRatio(IReadOnlyList<ConfusionCounts> stats, string? reduction = null, IReadOnlyList<double>? classWeights = null, double zeroDivision = 1.0)
        => SmpMetricMapping.Compute(ConfusionMetric.NegativeLikelihoodRatio, stats, reduction, classWeights, zeroDivision);
}
