using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Reporting;

/// <summary>The report page. Pictures are inlined from the SVG and PNG files just written, so the page stands alone and shows exactly those files.</summary>
internal static class ReportHtml
{
    public static string Build(
        string folder,
        SegmentationReportData data,
        SegmentationReportOptions options,
        string? reliability,
        string? histogram,
        string what,
        IReadOnlyList<(string File, SegmentationReportImage Image, double Score)> worst)
    {
        SegmentationMetrics m = data.Metrics;
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<title>").Append(Encode(options.Title)).AppendLine("</title>");
        sb.AppendLine("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}img.strip{width:100%;max-width:1600px;image-rendering:pixelated}.swatch{display:inline-block;width:1em;height:1em;vertical-align:middle;margin-right:.3em}</style>");
        sb.AppendLine("</head><body>");
        sb.Append("<h1>").Append(Encode(options.Title)).AppendLine("</h1>");

        sb.AppendLine("<h2>Metrics</h2>");
        sb.AppendLine("<table><tr><th>metric</th><th>value</th></tr>");
        Row(sb, "mIoU", m.MeanIoU);
        Row(sb, "mDice", m.MeanDice);
        Row(sb, "pixel accuracy", m.PixelAccuracy);
        Row(sb, "mean accuracy", m.MeanAccuracy);
        Row(sb, "frequency-weighted IoU", m.FrequencyWeightedIoU);
        sb.Append("<tr><td>images</td><td>").Append(m.ImageCount.ToString(CultureInfo.InvariantCulture)).AppendLine("</td></tr>");
        sb.Append("<tr><td>pixels</td><td>").Append(m.PixelCount.ToString(CultureInfo.InvariantCulture)).AppendLine("</td></tr>");
        sb.AppendLine("</table>");

        sb.AppendLine("<h3>Per class</h3>");
        sb.AppendLine("<table><tr><th>class</th><th>IoU</th><th>Dice</th><th>precision</th><th>recall</th><th>support</th></tr>");
        for (int k = 0; k < m.NumClasses; k++)
        {
            sb.Append("<tr><td><span class=\"swatch\" style=\"background:").Append(ClassPalette.Css(k)).Append("\"></span>")
                .Append(Encode(m.ClassNames[k])).Append("</td>")
                .Append(Cell(m.PerClassIoU[k])).Append(Cell(m.PerClassDice[k])).Append(Cell(m.PerClassPrecision[k])).Append(Cell(m.PerClassRecall[k]))
                .Append("<td>").Append(m.PerClassSupport[k].ToString(CultureInfo.InvariantCulture)).AppendLine("</td></tr>");
        }

        sb.AppendLine("</table>");

        sb.AppendLine("<h2>IoU and Dice per class</h2>");
        Image(sb, folder, SegmentationReport.PerClassChartFileName, "IoU and Dice per class");
        sb.AppendLine("<h2>Confusion matrix (row-normalised)</h2>");
        Image(sb, folder, SegmentationReport.ConfusionChartFileName, "Row-normalised confusion matrix");
        sb.AppendLine("<h2>Calibration</h2>");
        if (m.Calibration is { } calibration && reliability is not null)
        {
            sb.AppendLine("<table><tr><th>top-label calibration error</th><th>value</th></tr>");
            Row(sb, "ECE (expected, pixel-weighted)", calibration.ExpectedCalibrationError);
            Row(sb, "ACE (average over non-empty bins)", calibration.AverageCalibrationError);
            Row(sb, "MCE (largest bin gap)", calibration.MaximumCalibrationError);
            sb.AppendLine("</table>");
            sb.Append("<p>Top-label calibration over ").Append(calibration.Bins.ToString(CultureInfo.InvariantCulture))
                .Append(" equal-width confidence bins: each bar is the accuracy of the pixels whose largest class probability falls in the bin; ")
                .Append("red is the gap to their mean confidence (bars under the diagonal: overconfident). The lower panel is each bin's share of the pixels; ")
                .AppendLine("a bin with few pixels says little, an empty bin (0) has no bar.</p>");
            Image(sb, folder, reliability, "Reliability diagram");
            string error = calibration.Reduction switch { CalibrationReduction.Average => "ACE", CalibrationReduction.Maximum => "MCE", _ => "ECE" };
            sb.Append("<table><tr><th>class</th><th>class-wise ").Append(error).AppendLine("</th></tr>");
            for (int k = 0; k < m.NumClasses; k++)
            {
                sb.Append("<tr><td>").Append(Encode(m.ClassNames[k])).Append("</td>").Append(Cell(calibration.PerClassError[k])).AppendLine("</tr>");
            }

            sb.AppendLine("</table>");
        }
        else
        {
            sb.AppendLine("<p>Not computed. The reliability diagram and calibration errors (ECE, ACE, MCE) need the model's scores: run <code>segml eval --calibration</code>, or set <code>SegmentationEvaluatorOptions.Calibration</code> (for example <code>new CalibrationOptions()</code>) when evaluating.</p>");
        }

        if (histogram is not null)
        {
            sb.Append("<h2>Per-image ").Append(Encode(what)).AppendLine("</h2>");
            Image(sb, folder, histogram, "Per-image " + what);
        }

        if (worst.Count > 0)
        {
            sb.Append("<h2>Worst ").Append(worst.Count.ToString(CultureInfo.InvariantCulture)).Append(" images by ").Append(Encode(what)).AppendLine("</h2>");
            sb.AppendLine("<p>Each row: image | truth | prediction | errors (red) over the dimmed image. Ignored pixels are white in the truth.</p>");
            for (int r = 0; r < worst.Count; r++)
            {
                (string file, SegmentationReportImage image, double score) = worst[r];
                sb.Append("<h3>").Append((r + 1).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(Encode(image.Name))
                    .Append(" (").Append(Encode(what)).Append(' ').Append(Format(score)).AppendLine(")</h3>");
                Image(sb, folder, file, image.Name, "strip");
            }
        }

        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static void Image(StringBuilder sb, string folder, string file, string alt, string? cssClass = null)
    {
        string base64 = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(folder, file)));
        sb.Append("<p><img");
        if (cssClass is not null)
        {
            sb.Append(" class=\"").Append(cssClass).Append('"');
        }

        sb.Append(" alt=\"").Append(Encode(alt)).Append("\" src=\"data:").Append(MediaType(file)).Append(";base64,").Append(base64).AppendLine("\"></p>");
    }

    /// <summary>The charts are SVG, the image strips PNG.</summary>
    private static string MediaType(string file) =>
        file.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) ? "image/svg+xml" : "image/png";

    private static void Row(StringBuilder sb, string name, double value) =>
        sb.Append("<tr><td>").Append(Encode(name)).Append("</td>").Append(Cell(value)).AppendLine("</tr>");

    private static string Cell(double value) => "<td>" + Format(value) + "</td>";

    private static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
