namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// A per-class score computed from one-vs-rest counts (TP, FP, FN, TN). Each is undefined (NaN before
/// <see cref="AbsentClassPolicy"/> applies) when its denominator is 0.
/// </summary>
public enum ConfusionMetric
{
    /// <summary>Intersection over union (Jaccard index, threat score): TP / (TP + FP + FN).</summary>
    Iou = 0,

    /// <summary>Dice coefficient (F1 score): 2TP / (2TP + FP + FN).</summary>
    Dice = 1,

    /// <summary>F-beta score: (1 + β²)TP / ((1 + β²)TP + β²FN + FP).</summary>
    FBeta = 2,

    /// <summary>Precision (positive predictive value): TP / (TP + FP).</summary>
    Precision = 3,

    /// <summary>Recall (sensitivity, true positive rate, per-class accuracy of mmseg's <c>Acc</c>): TP / (TP + FN).</summary>
    Recall = 4,

    /// <summary>Specificity (true negative rate): TN / (TN + FP).</summary>
    Specificity = 5,

    /// <summary>Negative predictive value: TN / (TN + FN).</summary>
    NegativePredictiveValue = 6,

    /// <summary>False negative rate (miss rate): FN / (TP + FN).</summary>
    FalseNegativeRate = 7,

    /// <summary>False positive rate (fall-out): FP / (FP + TN).</summary>
    FalsePositiveRate = 8,

    /// <summary>False discovery rate: FP / (TP + FP).</summary>
    FalseDiscoveryRate = 9,

    /// <summary>False omission rate: FN / (FN + TN).</summary>
    FalseOmissionRate = 10,

    /// <summary>Binary (one-vs-rest) accuracy of the class: (TP + TN) / (TP + FP + FN + TN).</summary>
    Accuracy = 11,

    /// <summary>Balanced accuracy: (TPR + TNR) / 2; undefined when either rate is.</summary>
    BalancedAccuracy = 12,

    /// <summary>Prevalence threshold: (√(TPR(1 − TNR)) + TNR − 1) / (TPR + TNR − 1).</summary>
    PrevalenceThreshold = 13,

    /// <summary>Matthews correlation coefficient: (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)).</summary>
    MatthewsCorrelation = 14,

    /// <summary>Fowlkes–Mallows index: √(PPV · TPR).</summary>
    FowlkesMallows = 15,

    /// <summary>Informedness (Youden's J, bookmaker informedness): TPR + TNR − 1.</summary>
    Informedness = 16,

    /// <summary>Markedness: PPV + NPV − 1.</summary>
    Markedness = 17,

    /// <summary>Cohen's kappa of the one-vs-rest 2×2 table: (p_o − p_e) / (1 − p_e).</summary>
    CohenKappa = 18,

    /// <summary>
    /// Relative absolute volume difference (relative volume error): |(TP + FP) − (TP + FN)| / (TP + FN) = |FP − FN| / (TP + FN),
    /// the predicted volume's deviation from the reference volume as a share of it. Range [0, ∞); 0 is best.
    /// </summary>
    VolumeDifference = 19,

    /// <summary>
    /// Positive likelihood ratio: TPR / (1 − TNR), which is TPR / FPR without smoothing. Range [0, ∞]; +∞ when FPR = 0 and
    /// TPR &gt; 0. With <see cref="MetricOptions.SmoothDenominator"/> the smoothed rates make it finite.
    /// </summary>
    PositiveLikelihoodRatio = 20,

    /// <summary>Negative likelihood ratio: (1 − TPR) / TNR, which is FNR / TNR without smoothing. Range [0, ∞]; 0 is best.</summary>
    NegativeLikelihoodRatio = 21,

    /// <summary>
    /// Net benefit of treating the predicted positives (Vickers et al.): (TP − w·FP) / (TP + FP + FN + TN), where the exchange
    /// rate w is <see cref="MetricOptions.ExchangeRate"/> (Default: 1). Range [−w, 1].
    /// </summary>
    NetBenefit = 22,

    /// <summary>
    /// Normalised expected cost (Ferrer, 2022): (c_FP·π⁻·FPR + c_FN·π⁺·FNR) / min(c_FP·π⁻, c_FN·π⁺), the expected cost
    /// divided by the cost of the better constant decision, with the priors π⁺ = (TP + FN) / N and π⁻ = (FP + TN) / N and the
    /// costs of <see cref="MetricOptions.FalsePositiveCost"/> and <see cref="MetricOptions.FalseNegativeCost"/>. With the
    /// default, prior-balanced costs (c = 1 / (2π)) it is FPR + FNR = 1 − informedness. Range [0, ∞); 0 is best, 1 is no
    /// better than a constant decision.
    /// </summary>
    NormalizedExpectedCost = 23,

    /// <summary>
    /// False positive fraction: FP / (TP + FP + FN + TN), the share of all counted pixels that are false positives
    /// (MetricsReloaded's "false positives per image" of one image). Range [0, 1].
    /// </summary>
    FalsePositiveFraction = 24,

    /// <summary>
    /// F-beta as the weighted harmonic mean of the precision and recall rates (MetricsReloaded's <c>fbeta</c> and, with
    /// β = 1, its smoothed Dice): (1 + β²)·PPV·TPR / (β²·PPV + TPR + d), where PPV and TPR are the smoothed rates of
    /// <see cref="MetricOptions.SmoothNumerator"/> and <see cref="MetricOptions.SmoothDenominator"/> and d is
    /// <see cref="MetricOptions.SmoothDenominator"/> once more (MetricsReloaded adds its <c>smooth_dr</c> there too).
    /// Without smoothing it equals <see cref="FBeta"/> wherever both rates are defined, is undefined (NaN) when the class
    /// is in neither truth nor prediction (MetricsReloaded reads 1 there: <see cref="AbsentClassPolicy.One"/>), and 0 when
    /// the harmonic denominator is 0 or undefined otherwise. With smoothing (d &gt; 0) MetricsReloaded applies no such
    /// guard: an absent class scores 0 / d = 0. Range [0, 1].
    /// </summary>
    HarmonicFBeta = 25,
}
