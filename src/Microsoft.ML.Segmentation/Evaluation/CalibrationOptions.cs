using System;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// Settings of the evaluator's calibration metrics (<see cref="SegmentationEvaluatorOptions.Calibration"/>): how many
/// equal-width bins over [0, 1] (a confidence of 1 in the last), which reduction the headline values use, and which
/// column holds the per-pixel scores.
/// </summary>
/// <remarks>Thread safety: a plain settings object, not thread-safe; <see cref="Clone"/> gives an independent copy.</remarks>
public sealed class CalibrationOptions
{
    /// <summary>Gets or sets the number of bins. Default: 15 (torchmetrics' default; Guo et al. 2017 use 15); range: 1..10000.</summary>
    public int Bins { get; set; } = 15;

    /// <summary>
    /// Gets or sets how <see cref="CalibrationResults.Error"/> and <see cref="CalibrationResults.PerClassError"/> reduce
    /// the bins' gaps. Default: <see cref="CalibrationReduction.Expected"/> (ECE). The top-label ECE, ACE and MCE are
    /// always given besides.
    /// </summary>
    public CalibrationReduction Reduction { get; set; } = CalibrationReduction.Expected;

    /// <summary>
    /// Gets or sets the scores column the data-view evaluation reads (C channels per pixel, channel-major, at the masks'
    /// size; its <c>ScoreKind</c> annotation says whether they are logits, which get a softmax, or a sigmoid for one
    /// channel). Default: "Scores" (ScoreOnnx's and trained heads' output).
    /// </summary>
    public string ScoresColumnName { get; set; } = "Scores";

    /// <summary>A copy.</summary>
    /// <returns>The copy.</returns>
    public CalibrationOptions Clone() => (CalibrationOptions)MemberwiseClone();

    /// <summary>The binning these options describe: <see cref="CalibrationBinning.Uniform"/> of <see cref="Bins"/>.</summary>
    internal CalibrationBinning Binning() => CalibrationBinning.Uniform(Bins);

    internal void Validate(string parameter)
    {
        if (Bins is < 1 or > 10000)
        {
            throw new ArgumentOutOfRangeException(parameter + ".Bins", Bins, "The number of calibration bins must lie in 1..10000.");
        }

        if (!Enum.IsDefined(Reduction))
        {
            throw new ArgumentOutOfRangeException(parameter + ".Reduction", Reduction, "Unknown calibration reduction.");
        }

        ArgumentException.ThrowIfNullOrEmpty(ScoresColumnName, parameter + ".ScoresColumnName");
    }
}
