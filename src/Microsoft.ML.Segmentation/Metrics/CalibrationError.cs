using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Calibration errors from per-bin sums (<see cref="CalibrationBin"/>): a model is calibrated when, among the pixels it
/// gives confidence ≈ q, a fraction ≈ q is right. Each bin's gap is |mean accuracy − mean confidence|.
/// </summary>
/// <remarks>
/// Empty bins take no part in any reduction. With every bin empty the error is NaN (MONAI's convention); a caller
/// reproducing torchmetrics' 0 there does so itself.
/// </remarks>
public static class CalibrationError
{
    /// <summary>The calibration error of <paramref name="bins"/>.</summary>
    /// <param name="bins">The bins of one group (one class, or top-label).</param>
    /// <param name="reduction">How the gaps reduce.</param>
    /// <returns>The error; NaN when every bin is empty.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An unknown reduction.</exception>
    public static double Compute(ReadOnlySpan<CalibrationBin> bins, CalibrationReduction reduction)
    {
        long total = 0;
        int nonEmpty = 0;
        double weighted = 0, squared = 0, sum = 0, max = 0;
        foreach (CalibrationBin bin in bins)
        {
            if (bin.IsEmpty)
            {
                continue;
            }

            double gap = bin.Gap;
            total += bin.Count;
            nonEmpty++;
            weighted += gap * bin.Count;
            squared += gap * gap * bin.Count;
            sum += gap;
            max = Math.Max(max, gap);
        }

        if (nonEmpty == 0)
        {
            return double.NaN;
        }

        return reduction switch
        {
            CalibrationReduction.Expected => weighted / total,
            CalibrationReduction.Average => sum / nonEmpty,
            CalibrationReduction.Maximum => max,
            CalibrationReduction.RootMeanSquare => Math.Sqrt(squared / total),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown calibration reduction."),
        };
    }
}
