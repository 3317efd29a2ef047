using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <content>Text tables, in the style of ML.NET's <c>ConfusionMatrix.GetFormattedConfusionTable()</c>.</content>
public sealed partial class SegmentationMetrics
{
    /// <summary>The confusion matrix as text: rows are truth, columns prediction, with recall per row and precision per column.</summary>
    /// <returns>A multi-line table.</returns>
    public string GetFormattedConfusionTable()
    {
        int c = NumClasses;
        int nameWidth = Math.Max(9, ClassNames.Max(n => n.Length));
        long max = _confusion.Length == 0 ? 0 : _confusion.Max();
        int cellWidth = Math.Max(6, Math.Max(max.ToString(CultureInfo.InvariantCulture).Length, ClassNames.Max(n => Math.Min(n.Length, 12))));
        var sb = new StringBuilder();
        string rule = new string(' ', nameWidth) + " ||" + new string('=', (c * (cellWidth + 3)) + 8);
        sb.AppendLine("Confusion table");
        sb.AppendLine(rule);
        sb.Append("PREDICTED".PadRight(nameWidth)).Append(" ||");
        for (int p = 0; p < c; p++)
        {
            sb.Append(' ').Append(Truncate(ClassNames[p], cellWidth).PadLeft(cellWidth)).Append(" |");
        }

        sb.AppendLine(" Recall");
        sb.Append("TRUTH".PadRight(nameWidth)).Append(" ||").AppendLine(rule[(nameWidth + 3)..]);
        for (int t = 0; t < c; t++)
        {
            sb.Append(Truncate(ClassNames[t], nameWidth).PadLeft(nameWidth)).Append(" ||");
            for (int p = 0; p < c; p++)
            {
                sb.Append(' ').Append(_confusion[(t * c) + p].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth)).Append(" |");
            }

            sb.Append(' ').AppendLine(Format(PerClassRecall[t]));
        }

        sb.AppendLine(rule);
        sb.Append("Precision".PadRight(nameWidth)).Append(" ||");
        for (int p = 0; p < c; p++)
        {
            sb.Append(' ').Append(Format(PerClassPrecision[p]).PadLeft(cellWidth)).Append(" |");
        }

        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>Per-class IoU, Dice, precision, recall and support as text, followed by the summaries.</summary>
    /// <returns>A multi-line table.</returns>
    public string GetFormattedPerClassTable()
    {
        int nameWidth = Math.Max(5, ClassNames.Max(n => n.Length));
        var sb = new StringBuilder();
        sb.Append("class".PadRight(nameWidth)).AppendLine("      IoU     Dice  Precision   Recall      Support");
        for (int k = 0; k < NumClasses; k++)
        {
            sb.Append(ClassNames[k].PadRight(nameWidth))
                .Append(Format(PerClassIoU[k]).PadLeft(9))
                .Append(Format(PerClassDice[k]).PadLeft(9))
                .Append(Format(PerClassPrecision[k]).PadLeft(11))
                .Append(Format(PerClassRecall[k]).PadLeft(9))
                .AppendLine(PerClassSupport[k].ToString(CultureInfo.InvariantCulture).PadLeft(13));
        }

        if (Boundary is { } b)
        {
            sb.AppendLine();
            sb.Append("class".PadRight(nameWidth)).AppendLine(string.Create(CultureInfo.InvariantCulture, $"{(b.Percentile is null ? "HD" : $"HD{b.Percentile:0.#}"),7}  {(b.SymmetricSurfaceDistance ? "ASSD" : "ASD"),7}  SurfDice@{b.SurfaceTolerance:0.#}  BoundaryIoU"));
            for (int k = 0; k < NumClasses; k++)
            {
                sb.Append(ClassNames[k].PadRight(nameWidth))
                    .Append(Format(b.PerClassHausdorff[k]).PadLeft(9))
                    .Append(Format(b.PerClassAverageSurfaceDistance[k]).PadLeft(9))
                    .Append(Format(b.PerClassSurfaceDice[k]).PadLeft(12))
                    .AppendLine(Format(b.PerClassBoundaryIoU[k]).PadLeft(13));
            }
        }

        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"mIoU {Format(MeanIoU)}  mDice {Format(MeanDice)}  pixel accuracy {Format(PixelAccuracy)}  mean accuracy {Format(MeanAccuracy)}  fwIoU {Format(FrequencyWeightedIoU)}  ({ImageCount} images, {PixelCount} pixels)"));
        if (SkippedImages.Count > 0)
        {
            // Skipped rows are listed, never dropped silently: the summary above covers only the evaluated images.
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{SkippedImages.Count} image(s) skipped:"));
            foreach (SkippedImage skipped in SkippedImages)
            {
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  row {skipped.RowIndex} {skipped.Name ?? string.Empty}: {skipped.Reason}"));
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => GetFormattedPerClassTable();

    private static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..width];
}
