using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Metrics;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>
/// The reliability diagram of the top-label calibration bins (Guo et al. 2017): per confidence bin, a bar of the observed
/// accuracy over the bin's range, the gap to the bin's mean confidence shaded, the diagonal of perfect calibration, and
/// below it a panel with each bin's share of the pixels on a log scale, so that sparse bins (whose accuracy means little)
/// are visible and empty bins, which draw no bar, are marked.
/// </summary>
internal static class ReliabilityChart
{
    private static readonly OxyColor s_accuracy = OxyColor.FromRgb(70, 130, 180);
    private static readonly OxyColor s_gap = OxyColor.FromArgb(150, 220, 50, 47);
    private static readonly OxyColor s_share = OxyColor.FromRgb(120, 120, 120);
    private static readonly OxyColor s_grid = OxyColor.FromRgb(230, 230, 230);

    /// <summary>The diagram's height for a chart width: near square, as the diagonal needs.</summary>
    public static int Height(SegmentationReportOptions options) => Math.Max(options.ChartHeight, options.ChartWidth * 3 / 4);

    /// <summary>The diagram's model for the evaluator's uniform bins [k/n, (k+1)/n) (a confidence of 1 in the last).</summary>
    public static PlotModel Model(CalibrationResults calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        IReadOnlyList<CalibrationBin> bins = calibration.TopLabelBins;
        int n = bins.Count;
        long total = 0;
        foreach (CalibrationBin bin in bins)
        {
            total += bin.Count;
        }

        IFormatProvider invariant = CultureInfo.InvariantCulture;
        var model = new PlotModel
        {
            // One title line: OxyPlot spaces a subtitle by PDF font metrics, and a browser's wider text then overlaps it.
            Title = string.Create(invariant, $"Reliability (top label, {n} bins): ECE {Format(calibration.ExpectedCalibrationError)}, MCE {Format(calibration.MaximumCalibrationError)}"),
            TitleFontSize = 15,
            DefaultFont = "Helvetica",
            Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(180, 180, 180),
        };

        model.Axes.Add(ReportCharts.UnitAxis(AxisPosition.Bottom, "confidence", "confidence (largest class probability)"));

        // Two panels on one confidence axis: accuracy above (most of the height), pixel share below.
        LinearAxis accuracyAxis = ReportCharts.UnitAxis(AxisPosition.Left, "accuracy", "accuracy");
        accuracyAxis.StartPosition = 0.3;
        accuracyAxis.EndPosition = 1;
        model.Axes.Add(accuracyAxis);

        (double floor, double top) = ShareRange(bins, total);
        model.Axes.Add(new LogarithmicAxis
        {
            Position = AxisPosition.Left,
            Key = "share",
            Title = "share (log)",
            StartPosition = 0,
            EndPosition = 0.22,
            Minimum = floor,
            Maximum = top,
            AbsoluteMinimum = floor,
            AbsoluteMaximum = top,
            // A label every decade in a panel about 100 px high (OxyPlot's default spacing, 60 px, leaves one).
            IntervalLength = 18,
            LabelFormatter = SharePercent,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = s_grid,
        });

        var accuracy = new RectangleBarSeries { Title = "accuracy per bin", XAxisKey = "confidence", YAxisKey = "accuracy", FillColor = s_accuracy, StrokeColor = OxyColors.White, StrokeThickness = 1 };
        var gap = new RectangleBarSeries { Title = "gap to confidence", XAxisKey = "confidence", YAxisKey = "accuracy", FillColor = s_gap, StrokeThickness = 0 };
        var share = new RectangleBarSeries { Title = "share of pixels", XAxisKey = "confidence", YAxisKey = "share", FillColor = s_share, StrokeColor = OxyColors.White, StrokeThickness = 1 };
        for (int k = 0; k < n; k++)
        {
            CalibrationBin bin = bins[k];
            (double low, double high) = Range(k, n);
            if (bin.IsEmpty)
            {
                // No bar: an empty bin has no accuracy. Say so where the count would be.
                model.Annotations.Add(new TextAnnotation
                {
                    XAxisKey = "confidence",
                    YAxisKey = "share",
                    TextPosition = new DataPoint((low + high) / 2, floor),
                    Text = "0",
                    TextColor = s_share,
                    FontSize = 10,
                    Stroke = OxyColors.Transparent,
                    Background = OxyColors.Transparent,
                    TextHorizontalAlignment = HorizontalAlignment.Center,
                    TextVerticalAlignment = VerticalAlignment.Bottom,
                });
                continue;
            }

            double observed = bin.Accuracy, confidence = bin.MeanConfidence;
            accuracy.Items.Add(new RectangleBarItem(low, 0, high, observed));
            gap.Items.Add(new RectangleBarItem(low, Math.Min(observed, confidence), high, Math.Max(observed, confidence)));
            share.Items.Add(new RectangleBarItem(low, floor, high, (double)bin.Count / total));
        }

        model.Series.Add(accuracy);
        model.Series.Add(gap);
        model.Series.Add(new LineSeries
        {
            Title = "perfect calibration",
            XAxisKey = "confidence",
            YAxisKey = "accuracy",
            Color = OxyColor.FromRgb(60, 60, 60),
            LineStyle = LineStyle.Dash,
            StrokeThickness = 1.5,
            Points = { new DataPoint(0, 0), new DataPoint(1, 1) },
        });
        model.Series.Add(share);
        AddKey(model);
        return model;
    }

    /// <summary>
    /// The key, drawn as annotations in the top left of the accuracy panel (low confidence, high accuracy: empty unless
    /// the model is underconfident). Not an OxyPlot legend: the SVG exporter sizes a legend's box by PDF font metrics,
    /// about three quarters of what a browser draws, and clips the text at the box.
    /// </summary>
    private static void AddKey(PlotModel model)
    {
        model.Annotations.Add(new RectangleAnnotation
        {
            XAxisKey = "confidence",
            YAxisKey = "accuracy",
            MinimumX = 0.012,
            MaximumX = 0.36,
            MinimumY = 0.745,
            MaximumY = 0.988,
            Fill = OxyColor.FromArgb(235, 255, 255, 255),
            Stroke = OxyColor.FromRgb(200, 200, 200),
            StrokeThickness = 1,
        });
        (string Text, OxyColor Colour, bool Line)[] items =
        [
            ("accuracy per bin", s_accuracy, false),
            ("gap to mean confidence", s_gap, false),
            ("perfect calibration", OxyColor.FromRgb(60, 60, 60), true),
            ("share of pixels (below)", s_share, false),
        ];
        for (int i = 0; i < items.Length; i++)
        {
            double y = 0.955 - (i * 0.058);
            if (items[i].Line)
            {
                model.Annotations.Add(new PolylineAnnotation
                {
                    XAxisKey = "confidence",
                    YAxisKey = "accuracy",
                    Points = { new DataPoint(0.025, y), new DataPoint(0.06, y) },
                    Color = items[i].Colour,
                    LineStyle = LineStyle.Dash,
                    StrokeThickness = 1.5,
                });
            }
            else
            {
                model.Annotations.Add(new RectangleAnnotation
                {
                    XAxisKey = "confidence",
                    YAxisKey = "accuracy",
                    MinimumX = 0.03,
                    MaximumX = 0.055,
                    MinimumY = y - 0.018,
                    MaximumY = y + 0.018,
                    Fill = items[i].Colour,
                });
            }

            model.Annotations.Add(new TextAnnotation
            {
                XAxisKey = "confidence",
                YAxisKey = "accuracy",
                TextPosition = new DataPoint(0.075, y),
                Text = items[i].Text,
                FontSize = 12,
                Stroke = OxyColors.Transparent,
                Background = OxyColors.Transparent,
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextVerticalAlignment = VerticalAlignment.Middle,
            });
        }
    }

    /// <summary>Bin k of n: [k/n, (k+1)/n), as <c>CalibrationBinning.Uniform</c> computes its edges.</summary>
    public static (double Low, double High) Range(int k, int n) => ((double)k / n, (double)(k + 1) / n);

    /// <summary>
    /// The share axis: from one decade below the power of ten at or below the smallest non-empty share (at most 1 %, so
    /// that a few decades show) up to 1. The extra decade keeps the sparsest bin visible: a bin just above the power of
    /// ten (85 of 811,008 pixels is 1.05e-4) would otherwise be a bar of no height at the axis floor.
    /// </summary>
    private static (double Floor, double Top) ShareRange(IReadOnlyList<CalibrationBin> bins, long total)
    {
        double smallest = 0.01;
        foreach (CalibrationBin bin in bins)
        {
            if (!bin.IsEmpty)
            {
                smallest = Math.Min(smallest, (double)bin.Count / total);
            }
        }

        return (Math.Pow(10, Math.Floor(Math.Log10(smallest)) - 1), 1);
    }

    private static string SharePercent(double share) =>
        (share * 100).ToString(share >= 0.01 ? "0" : "0.#########", CultureInfo.InvariantCulture) + " %";

    private static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
