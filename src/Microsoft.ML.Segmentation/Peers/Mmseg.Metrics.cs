using System;
using System.Collections.Generic;
using System.Numerics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// Presets that reproduce mmsegmentation (mmseg 1.2): its evaluation metrics and losses, with mmseg's parameter names
/// (camelCase) and defaults. A parameter value SegML cannot reproduce throws <see cref="NotSupportedException"/>.
/// </summary>
public static partial class Mmseg
{
    /// <summary>mmseg <c>IoUMetric</c> (mmseg 1.2): see <see cref="MmsegIouMetric"/>.</summary>
    /// <param name="ignoreIndex">mmseg <c>ignore_index</c>. Default: 255.</param>
    /// <param name="iouMetrics">mmseg <c>iou_metrics</c>: any of "mIoU", "mDice", "mFscore". Default: null (["mIoU"]).</param>
    /// <param name="nanToNum">mmseg <c>nan_to_num</c>: the value NaN becomes before the summary. Default: null.</param>
    /// <param name="beta">mmseg <c>beta</c> of the F-score. Default: 1.</param>
    /// <param name="collectDevice">mmseg <c>collect_device</c>: "cpu" or "gpu"; where results are gathered, no effect on the numbers. Default: "cpu".</param>
    /// <param name="outputDir">mmseg <c>output_dir</c>: not supported (writes prediction PNGs). Default: null.</param>
    /// <param name="formatOnly">mmseg <c>format_only</c>: not supported. Default: false.</param>
    /// <param name="prefix">mmseg <c>prefix</c> of the summary keys. Default: null.</param>
    /// <returns>The metric; add label maps to <see cref="MmsegIouMetric.CreateConfusionMatrix"/> and call <see cref="MmsegIouMetric.Compute"/>.</returns>
    /// <exception cref="ArgumentException">An unknown metric name or collect device.</exception>
    /// <exception cref="NotSupportedException"><paramref name="outputDir"/> or <paramref name="formatOnly"/> is set.</exception>
    public static MmsegIouMetric IoUMetric(int ignoreIndex = 255, IReadOnlyList<string>? iouMetrics = null, double? nanToNum = null, double beta = 1,
        string collectDevice = "cpu", string? outputDir = null, bool formatOnly = false, string? prefix = null)
    {
        PeerArguments.Unsupported(outputDir is not null, nameof(outputDir), "writing prediction images is not part of the metric; use null");
        PeerArguments.Unsupported(formatOnly, nameof(formatOnly), "format-only runs compute no metric; use false");
        PeerArguments.Choose(collectDevice, nameof(collectDevice), new Dictionary<string, bool>(StringComparer.Ordinal) { ["cpu"] = true, ["gpu"] = true });
        if (!(beta > 0) || double.IsInfinity(beta))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"beta ({beta}) must be positive and finite.");
        }

        string[] metrics = [.. iouMetrics ?? ["mIoU"]];
        foreach (string m in metrics)
        {
            if (m is not ("mIoU" or "mDice" or "mFscore"))
            {
                throw new ArgumentException($"iouMetrics holds '{m}'; mmseg supports 'mIoU', 'mDice' and 'mFscore'.", nameof(iouMetrics));
            }
        }

        return new MmsegIouMetric(ignoreIndex, metrics, nanToNum, beta, prefix);
    }

    /// <summary>
    /// mmseg <c>Accuracy</c> / <c>accuracy()</c> (mmseg 1.2, <c>models/losses/accuracy.py</c>): top-k pixel accuracy in percent,
    /// 100·(hits + ε)/(counted + ε) with ε the float32 machine epsilon (so 100 when every pixel is ignored); 0 for an empty batch.
    /// </summary>
    /// <param name="pred">Class scores [N,C,…] flattened as <paramref name="shape"/> ([N,C,H,W]).</param>
    /// <param name="target">Labels [N,…].</param>
    /// <param name="shape">The score shape.</param>
    /// <param name="topk">mmseg <c>topk</c>: one accuracy per k. Default: null ([1]).</param>
    /// <param name="thresh">mmseg <c>thresh</c>: a hit also needs a score above it. Default: null.</param>
    /// <param name="ignoreIndex">mmseg <c>ignore_index</c>. Default: null.</param>
    /// <returns>One accuracy per k, in percent.</returns>
    public static double[] Accuracy<T>(ReadOnlySpan<T> pred, ReadOnlySpan<int> target, SegmentationShape shape, IReadOnlyList<int>? topk = null, double? thresh = null,
        int? ignoreIndex = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] ks = [.. topk ?? [1]];
        var result = new double[ks.Length];
        if (shape.Batch == 0 || pred.IsEmpty)
        {
            return result;
        }

        for (int i = 0; i < ks.Length; i++)
        {
            (long hits, long counted) = TopKAccuracy.Count(pred, shape, target, ks[i], thresh, ignoreIndex);
            result[i] = 100.0 * (hits + Float32Epsilon) / (counted + Float32Epsilon);
        }

        return result;
    }

    private const double Float32Epsilon = 1.1920928955078125e-07;
}
