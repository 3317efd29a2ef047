using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// mmseg's <c>IoUMetric</c> (mmsegmentation 1.2, <c>mmseg/evaluation/metrics/iou_metric.py</c>) built by
/// <see cref="Mmseg.IoUMetric"/>: dataset counts (ignored pixels skipped) to mmseg's per-class areas and metrics.
/// </summary>
/// <remarks>
/// Per class with I = TP, P = TP + FP, L = TP + FN, U = P + L − I: IoU = I/U, Acc = I/L, Dice = 2I/(P + L),
/// Precision = I/P, Recall = I/L and Fscore = (1 + β²)·Precision·Recall / (β²·Precision + Recall), each NaN where 0/0
/// (so Fscore is NaN whenever I = 0); aAcc = ΣI/ΣL. <c>nan_to_num</c> replaces NaN in all of them before the summary;
/// the summary (<c>compute_metrics</c>) is round(nanmean · 100, 2) under "aAcc" and "m" + name.
/// <para>Thread safety: immutable; safe to share between threads.</para>
/// </remarks>
public sealed class MmsegIouMetric
{
    internal MmsegIouMetric(int ignoreIndex, IReadOnlyList<string> iouMetrics, double? nanToNum, double beta, string? prefix)
    {
        IgnoreIndex = ignoreIndex;
        IouMetrics = iouMetrics;
        NanToNum = nanToNum;
        Beta = beta;
        Prefix = prefix;
    }

    /// <summary>mmseg's <c>ignore_index</c>: the label skipped.</summary>
    public int IgnoreIndex { get; }

    /// <summary>mmseg's <c>iou_metrics</c>.</summary>
    public IReadOnlyList<string> IouMetrics { get; }

    /// <summary>mmseg's <c>nan_to_num</c>.</summary>
    public double? NanToNum { get; }

    /// <summary>mmseg's <c>beta</c>.</summary>
    public double Beta { get; }

    /// <summary>mmseg's <c>prefix</c>: prepended as "prefix/" to the summary keys, as mmengine's evaluator does.</summary>
    public string? Prefix { get; }

    /// <summary>A confusion matrix that skips <see cref="IgnoreIndex"/>, to add the dataset's label maps to.</summary>
    /// <param name="numClasses">The dataset's class count.</param>
    /// <returns>An empty matrix.</returns>
    public ConfusionMatrix CreateConfusionMatrix(int numClasses) => new(numClasses, IgnoreIndex);

    /// <summary>mmseg's <c>total_area_to_metrics</c>: "aAcc" (one value) and the per-class arrays of the requested metrics.</summary>
    /// <param name="counts">Dataset counts (for example <see cref="ConfusionMatrix.ToCounts"/>).</param>
    /// <returns>Name → values, <c>nan_to_num</c> applied.</returns>
    public IReadOnlyDictionary<string, double[]> ComputeClassMetrics(ConfusionCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var perClass = new MetricOptions { Reduction = MetricReduction.PerClass, AbsentClass = AbsentClassPolicy.NaN };
        double[] Per(ConfusionMetric metric) => ConfusionMetrics.Compute(metric, counts, perClass);
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal) { ["aAcc"] = [ConfusionMetrics.PixelAccuracy(counts)] };
        foreach (string metric in IouMetrics)
        {
            switch (metric)
            {
                case "mIoU":
                    result["IoU"] = Per(ConfusionMetric.Iou);
                    result["Acc"] = Per(ConfusionMetric.Recall);
                    break;
                case "mDice":
                    result["Dice"] = Per(ConfusionMetric.Dice);
                    result["Acc"] = Per(ConfusionMetric.Recall);
                    break;
                default:
                    double[] precision = Per(ConfusionMetric.Precision), recall = Per(ConfusionMetric.Recall);
                    var f = new double[precision.Length];
                    double b2 = Beta * Beta;
                    for (int c = 0; c < f.Length; c++)
                    {
                        // mmseg's f_score of the two rates: 0/0 (no true positive) is NaN, unlike the count formula.
                        f[c] = (1 + b2) * (precision[c] * recall[c]) / ((b2 * precision[c]) + recall[c]);
                    }

                    result["Fscore"] = f;
                    result["Precision"] = precision;
                    result["Recall"] = recall;
                    break;
            }
        }

        if (NanToNum is double fill)
        {
            foreach (double[] values in result.Values)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = double.IsNaN(values[i]) ? fill : values[i];
                }
            }
        }

        return result;
    }

    /// <summary>mmseg's <c>compute_metrics</c>: "aAcc" and "mIoU", "mAcc", "mDice", "mFscore", "mPrecision", "mRecall" as requested, in percent rounded to 2 decimals.</summary>
    /// <param name="counts">Dataset counts.</param>
    /// <returns>Name → value (NaN when every class is NaN).</returns>
    public IReadOnlyDictionary<string, double> Compute(ConfusionCounts counts)
    {
        var summary = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string name, double[] values) in ComputeClassMetrics(counts))
        {
            double sum = 0;
            int n = 0;
            foreach (double v in values)
            {
                if (!double.IsNaN(v))
                {
                    sum += v;
                    n++;
                }
            }

            // np.round(nanmean · 100, 2): round half to even on the hundredths.
            double percent = n == 0 ? double.NaN : Math.Round(sum / n * 100 * 100, MidpointRounding.ToEven) / 100;
            string key = name == "aAcc" ? name : "m" + name;
            summary[Prefix is null ? key : $"{Prefix}/{key}"] = percent;
        }

        return summary;
    }
}
