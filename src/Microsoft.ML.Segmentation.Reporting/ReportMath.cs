using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>The numbers the charts are drawn from, apart from the drawing so that tests can check them.</summary>
internal static class ReportMath
{
    /// <summary>The confusion matrix with each truth row divided by its sum; a class without truth pixels gives a row of zeros.</summary>
    public static double[,] RowNormalisedConfusion(SegmentationMetrics metrics)
    {
        int c = metrics.NumClasses;
        var result = new double[c, c];
        for (int t = 0; t < c; t++)
        {
            long sum = 0;
            for (int p = 0; p < c; p++)
            {
                sum += metrics.GetConfusionCount(t, p);
            }

            for (int p = 0; p < c; p++)
            {
                result[t, p] = sum == 0 ? 0 : (double)metrics.GetConfusionCount(t, p) / sum;
            }
        }

        return result;
    }

    /// <summary>The share of counted pixels (truth in 0..C−1) predicted wrongly; 0 when none is counted.</summary>
    public static double ErrorRate(SegmentationReportImage image, int classes)
    {
        long counted = 0, wrong = 0;
        for (int i = 0; i < image.Truth.Count; i++)
        {
            int t = image.Truth[i];
            if ((uint)t < (uint)classes)
            {
                counted++;
                if (image.Predicted[i] != t)
                {
                    wrong++;
                }
            }
        }

        return counted == 0 ? 0 : (double)wrong / counted;
    }

    /// <summary>
    /// Whether the images are ranked by loss: only when every image has one, since a partial ranking would mix
    /// two scales.
    /// </summary>
    public static bool RanksByLoss(IReadOnlyList<SegmentationReportImage> images) => images.Count > 0 && images.All(i => i.Loss is double l && !double.IsNaN(l));

    /// <summary>The <paramref name="count"/> worst images, worst first: by loss, or by error rate when not every image has a loss; ties by name.</summary>
    public static IReadOnlyList<(SegmentationReportImage Image, double Score)> Worst(IReadOnlyList<SegmentationReportImage> images, int classes, int count)
    {
        bool byLoss = RanksByLoss(images);
        return images
            .Select(i => (Image: i, Score: byLoss ? i.Loss!.Value : ErrorRate(i, classes)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Image.Name, StringComparer.Ordinal)
            .Take(Math.Max(0, count))
            .ToArray();
    }

    /// <summary>Equal-width bins over [min, max]: the bin centres, counts and width. One value or equal values give one bin.</summary>
    public static (double[] Centres, double[] Counts, double Width) Histogram(IReadOnlyList<double> values, int bins)
    {
        if (values.Count == 0)
        {
            return ([], [], 1);
        }

        double min = values.Min(), max = values.Max();
        if (max <= min)
        {
            return ([min], [values.Count], 1);
        }

        bins = Math.Max(1, bins);
        double width = (max - min) / bins;
        var counts = new double[bins];
        foreach (double v in values)
        {
            counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
        }

        double[] centres = Enumerable.Range(0, bins).Select(b => min + ((b + 0.5) * width)).ToArray();
        return (centres, counts, width);
    }
}
