using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <content>The metrics as JSON: the one document <c>segml eval --json</c> embeds field for field.</content>
public sealed partial class SegmentationMetrics
{
    /// <summary>
    /// The metrics as an indented JSON object: <c>imageCount</c>, <c>skipped</c> (row, name, reason), <c>pixelCount</c>,
    /// <c>numClasses</c>, <c>classNames</c>, the summaries (<c>pixelAccuracy</c>, <c>meanAccuracy</c>, <c>meanIoU</c>,
    /// <c>meanDice</c>, <c>frequencyWeightedIoU</c>), <c>perClass</c> arrays (iou, dice, precision, recall, support and,
    /// with boundary metrics, hausdorff, averageSurfaceDistance, surfaceDice, boundaryIoU), with calibration a
    /// <c>calibration</c> object (bins, reduction, error, expected, average, maximum, perClass, and the top-label
    /// reliability bins: count, confidence and accuracy means) and <c>confusionMatrix</c>
    /// (rows truth, columns prediction). A NaN (an absent class) is written as <c>null</c>.
    /// </summary>
    /// <returns>The document.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            WriteJsonProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the properties of <see cref="ToJson"/> into the object <paramref name="writer"/> is in, so a larger document can carry them unchanged.</summary>
    internal void WriteJsonProperties(Utf8JsonWriter writer)
    {
        writer.WriteNumber("imageCount", ImageCount);
        SkippedImage.WriteJsonArray(writer, SkippedImages);
        writer.WriteNumber("pixelCount", PixelCount);
        writer.WriteNumber("numClasses", NumClasses);
        writer.WriteStartArray("classNames");
        foreach (string name in ClassNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        JsonNumber(writer, "pixelAccuracy", PixelAccuracy);
        JsonNumber(writer, "meanAccuracy", MeanAccuracy);
        JsonNumber(writer, "meanIoU", MeanIoU);
        JsonNumber(writer, "meanDice", MeanDice);
        JsonNumber(writer, "frequencyWeightedIoU", FrequencyWeightedIoU);
        writer.WriteStartObject("perClass");
        JsonArray(writer, "iou", PerClassIoU);
        JsonArray(writer, "dice", PerClassDice);
        JsonArray(writer, "precision", PerClassPrecision);
        JsonArray(writer, "recall", PerClassRecall);
        writer.WriteStartArray("support");
        foreach (long s in PerClassSupport)
        {
            writer.WriteNumberValue(s);
        }

        writer.WriteEndArray();
        if (Boundary is { } boundary)
        {
            // null for the maximum (plain Hausdorff), as BoundaryMetricOptions.Percentile.
            JsonNumber(writer, "boundaryPercentile", boundary.Percentile ?? double.NaN);
            JsonNumber(writer, "surfaceTolerance", boundary.SurfaceTolerance);
            JsonArray(writer, "hausdorff", boundary.PerClassHausdorff);
            JsonArray(writer, "averageSurfaceDistance", boundary.PerClassAverageSurfaceDistance);
            JsonArray(writer, "surfaceDice", boundary.PerClassSurfaceDice);
            JsonArray(writer, "boundaryIoU", boundary.PerClassBoundaryIoU);
        }

        writer.WriteEndObject();
        if (Calibration is { } calibration)
        {
            WriteCalibration(writer, calibration);
        }

        writer.WriteStartArray("confusionMatrix");
        for (int t = 0; t < NumClasses; t++)
        {
            writer.WriteStartArray();
            for (int p = 0; p < NumClasses; p++)
            {
                writer.WriteNumberValue(GetConfusionCount(t, p));
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static void WriteCalibration(Utf8JsonWriter writer, CalibrationResults calibration)
    {
        writer.WriteStartObject("calibration");
        writer.WriteNumber("bins", calibration.Bins);
        writer.WriteString("reduction", calibration.Reduction.ToString());
        JsonNumber(writer, "error", calibration.Error);
        JsonNumber(writer, "expected", calibration.ExpectedCalibrationError);
        JsonNumber(writer, "average", calibration.AverageCalibrationError);
        JsonNumber(writer, "maximum", calibration.MaximumCalibrationError);
        JsonArray(writer, "perClass", calibration.PerClassError);
        writer.WriteStartObject("reliability");
        writer.WriteStartArray("count");
        foreach (Metrics.CalibrationBin bin in calibration.TopLabelBins)
        {
            writer.WriteNumberValue(bin.Count);
        }

        writer.WriteEndArray();
        JsonArray(writer, "confidence", [.. System.Linq.Enumerable.Select(calibration.TopLabelBins, b => b.MeanConfidence)]);
        JsonArray(writer, "accuracy", [.. System.Linq.Enumerable.Select(calibration.TopLabelBins, b => b.Accuracy)]);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A number, or <c>null</c> for NaN and infinities (JSON has neither).</summary>
    internal static void JsonNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void JsonArray(Utf8JsonWriter writer, string name, IReadOnlyList<double> values)
    {
        writer.WriteStartArray(name);
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                writer.WriteNumberValue(v);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
    }
}
