using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.ML.Segmentation.Evaluation;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>
/// The report's charts, drawn with OxyPlot and written as SVG by its managed exporter: no native library is loaded,
/// so a report can be written in the same process as an ONNX export (ML.NET ImageAnalytics, SkiaSharp 2.88).
/// </summary>
internal static class ReportCharts
{
    private static readonly OxyColor s_iou = OxyColor.FromRgb(70, 130, 180);
    private static readonly OxyColor s_dice = OxyColor.FromRgb(255, 140, 0);

    /// <summary>Grouped bars of IoU and Dice per class on a 0..1 score axis, written as SVG; an absent class (NaN) draws no bar.</summary>
    public static void PerClassBars(SegmentationMetrics metrics, string path, SegmentationReportOptions options) =>
        Save(PerClassModel(metrics), path, options);

    /// <summary>The confusion heatmap, written as SVG.</summary>
    public static void ConfusionHeatmap(SegmentationMetrics metrics, string path, SegmentationReportOptions options) =>
        Save(ConfusionModel(metrics), path, options);

    /// <summary>The per-image histogram, written as SVG.</summary>
    public static void Histogram(IReadOnlyList<double> values, string what, bool unitRange, string path, SegmentationReportOptions options) =>
        Save(HistogramModel(values, what, unitRange, options.HistogramBins), path, options);

    /// <summary>The reliability diagram of the top-label calibration bins, written as SVG, taller than the other charts (near square).</summary>
    public static void Reliability(CalibrationResults calibration, string path, SegmentationReportOptions options) =>
        Save(ReliabilityChart.Model(calibration), path, options.ChartWidth, ReliabilityChart.Height(options));

    /// <summary>The per-class chart's model: grouped IoU and Dice bars per class.</summary>
    public static PlotModel PerClassModel(SegmentationMetrics metrics)
    {
        PlotModel model = NewModel("IoU and Dice per class");
        var classes = new CategoryAxis { Position = AxisPosition.Bottom, Key = "class", Title = "class", GapWidth = 0.5 };
        classes.Labels.AddRange(metrics.ClassNames);
        TiltWhenCrowded(classes, metrics.NumClasses);
        model.Axes.Add(classes);
        model.Axes.Add(UnitAxis(AxisPosition.Left, "score", "score"));
        model.Series.Add(Bars("IoU", s_iou, metrics.PerClassIoU));
        model.Series.Add(Bars("Dice", s_dice, metrics.PerClassDice));

        // Outside the plot area: a bar may reach 1, the top of the axis.
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.RightTop,
            LegendFontSize = 13,
            LegendItemSpacing = 12,
            LegendLineSpacing = 6,
        });
        return model;
    }

    /// <summary>The row-normalised confusion matrix as a heatmap on a 0..1 colour scale, truth rows top to bottom, each cell labelled with its share.</summary>
    public static PlotModel ConfusionModel(SegmentationMetrics metrics)
    {
        double[,] shares = ReportMath.RowNormalisedConfusion(metrics);
        int c = metrics.NumClasses;
        PlotModel model = NewModel("Confusion (rows: truth, normalised; columns: prediction)");

        // Category axes put class k at k, the heatmap's cell centres; the truth axis runs top to bottom.
        var predicted = new CategoryAxis { Position = AxisPosition.Bottom, Key = "predicted", Title = "predicted", GapWidth = 0 };
        predicted.Labels.AddRange(metrics.ClassNames);
        TiltWhenCrowded(predicted, c);
        var truth = new CategoryAxis { Position = AxisPosition.Left, Key = "truth", Title = "truth", GapWidth = 0, StartPosition = 1, EndPosition = 0 };
        truth.Labels.AddRange(metrics.ClassNames);
        model.Axes.Add(predicted);
        model.Axes.Add(truth);
        model.Axes.Add(new LinearColorAxis
        {
            Position = AxisPosition.Right,
            Key = "share",
            Palette = OxyPalettes.Viridis(256),
            Minimum = 0,
            Maximum = 1,
            MajorStep = 0.2,
        });

        // The series' data is indexed [x, y]: prediction first, truth second.
        var data = new double[c, c];
        for (int t = 0; t < c; t++)
        {
            for (int p = 0; p < c; p++)
            {
                data[p, t] = shares[t, p];
            }
        }

        model.Series.Add(new HeatMapSeries
        {
            XAxisKey = "predicted",
            YAxisKey = "truth",
            ColorAxisKey = "share",
            X0 = 0,
            X1 = c - 1,
            Y0 = 0,
            Y1 = c - 1,
            Data = data,
            CoordinateDefinition = HeatMapCoordinateDefinition.Center,

            // Rectangles, not a bitmap: the SVG stays vector and needs no image encoder.
            RenderMethod = HeatMapRenderMethod.Rectangles,
        });

        if (c <= 20)
        {
            for (int t = 0; t < c; t++)
            {
                for (int p = 0; p < c; p++)
                {
                    // Dark text on the bright end of viridis, light text on the dark end.
                    model.Annotations.Add(new TextAnnotation
                    {
                        XAxisKey = "predicted",
                        YAxisKey = "truth",
                        TextPosition = new DataPoint(p, t),
                        Text = shares[t, p].ToString("0.00", CultureInfo.InvariantCulture),
                        TextColor = shares[t, p] > 0.5 ? OxyColors.Black : OxyColors.White,
                        Stroke = OxyColors.Transparent,
                        Background = OxyColors.Transparent,
                        TextHorizontalAlignment = HorizontalAlignment.Center,
                        TextVerticalAlignment = VerticalAlignment.Middle,
                    });
                }
            }
        }

        return model;
    }

    /// <summary>
    /// A histogram of the per-image values (loss, or error rate when there is no loss), with whole-number counts;
    /// an error rate is drawn on its 0..1 axis.
    /// </summary>
    public static PlotModel HistogramModel(IReadOnlyList<double> values, string what, bool unitRange, int bins)
    {
        (double[] centres, double[] counts, double width) = ReportMath.Histogram(values, bins);
        PlotModel model = NewModel($"Per-image {what} ({values.Count} images)");
        LinearAxis x = unitRange ? UnitAxis(AxisPosition.Bottom, "value", what) : new LinearAxis { Position = AxisPosition.Bottom, Key = "value", Title = what };
        model.Axes.Add(x);
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left,
            Key = "images",
            Title = "images",
            Minimum = 0,
            AbsoluteMinimum = 0,
            MinimumMajorStep = 1,
            MinimumMinorStep = 1,
            StringFormat = "0",
            MaximumPadding = 0.05,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = OxyColor.FromRgb(230, 230, 230),
        });

        var series = new HistogramSeries { XAxisKey = "value", YAxisKey = "images", FillColor = s_iou, StrokeColor = OxyColors.White, StrokeThickness = 1 };
        for (int b = 0; b < centres.Length; b++)
        {
            // A bar's height is its area over its width: the area is count × width, so the height is the count.
            double start = centres[b] - (width / 2), end = centres[b] + (width / 2);
            series.Items.Add(new HistogramItem(start, end, counts[b] * width, (int)counts[b]));
        }

        model.Series.Add(series);
        return model;
    }

    private static PlotModel NewModel(string title) => new()
    {
        Title = title,
        TitleFontSize = 15,
        DefaultFont = "Helvetica",
        Background = OxyColors.White,
        PlotAreaBorderColor = OxyColor.FromRgb(180, 180, 180),
    };

    /// <summary>A 0..1 axis with gridlines every 0.1, for scores and shares.</summary>
    internal static LinearAxis UnitAxis(AxisPosition position, string key, string title) => new()
    {
        Position = position,
        Key = key,
        Title = title,
        Minimum = 0,
        Maximum = 1,
        AbsoluteMinimum = 0,
        AbsoluteMaximum = 1,
        MajorStep = 0.1,
        MinorStep = 0.05,
        StringFormat = "0.0",
        MajorGridlineStyle = LineStyle.Solid,
        MajorGridlineColor = OxyColor.FromRgb(230, 230, 230),
    };

    /// <summary>Class names at an angle when many classes share the axis, so that they do not overlap.</summary>
    private static void TiltWhenCrowded(CategoryAxis axis, int classes)
    {
        if (classes > 10)
        {
            axis.Angle = -45;
        }
    }

    /// <summary>One bar per class; a NaN value (absent class) is left out, keeping the other bars on their classes.</summary>
    private static BarSeries Bars(string title, OxyColor color, IReadOnlyList<double> values)
    {
        var series = new BarSeries { Title = title, FillColor = color, XAxisKey = "score", YAxisKey = "class", StrokeThickness = 0 };
        for (int k = 0; k < values.Count; k++)
        {
            if (!double.IsNaN(values[k]))
            {
                series.Items.Add(new BarItem { Value = values[k], CategoryIndex = k });
            }
        }

        return series;
    }

    /// <summary>Writes the model as SVG of the options' chart size; this also lays the model out (its axes' actual ranges).</summary>
    public static void Save(PlotModel model, string path, SegmentationReportOptions options) =>
        Save(model, path, options.ChartWidth, options.ChartHeight);

    /// <summary>Writes the model as SVG of the given size; this also lays the model out (its axes' actual ranges).</summary>
    public static void Save(PlotModel model, string path, int width, int height)
    {
        // OxyPlot lays out with PDF font metrics, which leave the axis titles touching the tick labels once a browser
        // draws the text (rotated titles most): give the titles room.
        foreach (Axis axis in model.Axes)
        {
            axis.AxisTitleDistance = 10;
            axis.FontSize = 12;
            axis.TitleFontSize = 13;
        }

        using FileStream stream = File.Create(path);
        var exporter = new SvgExporter { Width = width, Height = height };
        exporter.Export(model, stream);
    }
}
