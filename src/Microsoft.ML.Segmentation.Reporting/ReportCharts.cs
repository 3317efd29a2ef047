using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML.Segmentation.Evaluation;
using ScottPlot;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>The report's charts, drawn with ScottPlot and saved as PNG.</summary>
internal static class ReportCharts
{
    /// <summary>Grouped bars of IoU and Dice per class; an absent class (NaN) draws no bar.</summary>
    public static void PerClassBars(SegmentationMetrics metrics, string path, SegmentationReportOptions options)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        Color iou = Colors.SteelBlue, dice = Colors.DarkOrange;
        for (int k = 0; k < metrics.NumClasses; k++)
        {
            AddBar(bars, (k * 3) + 0.5, metrics.PerClassIoU[k], iou);
            AddBar(bars, (k * 3) + 1.5, metrics.PerClassDice[k], dice);
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, metrics.NumClasses).Select(k => (k * 3) + 1.0).ToArray(),
            metrics.ClassNames.ToArray());
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "IoU", FillColor = iou });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Dice", FillColor = dice });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimits(-0.5, (metrics.NumClasses * 3) - 0.5, 0, 1.1);
        plot.Title("IoU and Dice per class");
        plot.YLabel("score");
        plot.SavePng(path, options.ChartWidth, options.ChartHeight);
    }

    /// <summary>The row-normalised confusion matrix as a heatmap, truth rows top to bottom, each cell labelled with its share.</summary>
    public static void ConfusionHeatmap(SegmentationMetrics metrics, string path, SegmentationReportOptions options)
    {
        double[,] shares = ReportMath.RowNormalisedConfusion(metrics);
        int c = metrics.NumClasses;
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);

        // Cells one unit wide, centred on whole numbers, so ticks and labels sit on the cell centres (ScottPlot's
        // extent gives the centres of the corner cells); the heatmap draws row 0 at the top, so truth row t is
        // centred at c − 1 − t.
        heatmap.Extent = new CoordinateRect(0, Math.Max(1, c - 1), 0, Math.Max(1, c - 1));
        if (c <= 20)
        {
            for (int t = 0; t < c; t++)
            {
                for (int p = 0; p < c; p++)
                {
                    var label = plot.Add.Text(shares[t, p].ToString("0.00", CultureInfo.InvariantCulture), p, c - 1 - t);
                    label.LabelAlignment = Alignment.MiddleCenter;
                    label.LabelFontColor = shares[t, p] > 0.5 ? Colors.Black : Colors.White;
                }
            }
        }

        double[] positions = Enumerable.Range(0, c).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, metrics.ClassNames.ToArray());
        plot.Axes.Left.SetTicks(positions, metrics.ClassNames.Reverse().ToArray());
        plot.Add.ColorBar(heatmap);
        plot.Axes.SetLimits(-0.5, c - 0.5, -0.5, c - 0.5);
        plot.Title("Confusion (rows: truth, normalised; columns: prediction)");
        plot.XLabel("predicted");
        plot.YLabel("truth");
        plot.SavePng(path, options.ChartWidth, options.ChartHeight);
    }

    /// <summary>A histogram of the per-image values (loss, or error rate when there is no loss).</summary>
    public static void Histogram(IReadOnlyList<double> values, string what, string path, SegmentationReportOptions options)
    {
        (double[] centres, double[] counts, double width) = ReportMath.Histogram(values, options.HistogramBins);
        var plot = new Plot();
        var bars = new List<Bar>();
        for (int b = 0; b < centres.Length; b++)
        {
            bars.Add(new Bar { Position = centres[b], Value = counts[b], Size = width * 0.95, FillColor = Colors.SteelBlue });
        }

        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"Per-image {what} ({values.Count} images)");
        plot.XLabel(what);
        plot.YLabel("images");
        plot.SavePng(path, options.ChartWidth, options.ChartHeight);
    }

    private static void AddBar(List<Bar> bars, double position, double value, Color color)
    {
        if (!double.IsNaN(value))
        {
            bars.Add(new Bar { Position = position, Value = value, FillColor = color });
        }
    }
}
