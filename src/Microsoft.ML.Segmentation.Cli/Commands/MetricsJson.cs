using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>Writes <see cref="SegmentationMetrics"/> as JSON: summaries, per-class arrays, the confusion matrix, class names, model and options. NaN (absent class) is written as null.</summary>
internal static class MetricsJson
{
    public static void Write(string path, SegmentationMetrics metrics, SegmentationModel model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy)
        => Write(path, metrics, ModelDescription.From(model), options, meanCrossEntropy);

    /// <summary>The document for a model known by its description (<c>segml merge</c>, which loads no model).</summary>
    public static void Write(string path, SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy)
    {
        using FileStream stream = File.Create(path);
        Write(stream, metrics, model, options, meanCrossEntropy);
    }

    /// <summary>The same document as a string, for <c>--json -</c> (stdout).</summary>
    public static string ToJson(SegmentationMetrics metrics, SegmentationModel model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy)
        => ToJson(metrics, ModelDescription.From(model), options, meanCrossEntropy);

    /// <summary>The document as a string, for a model known by its description.</summary>
    public static string ToJson(SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy)
    {
        using var stream = new MemoryStream();
        Write(stream, metrics, model, options, meanCrossEntropy);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Stream stream, SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject("model");
        writer.WriteString("path", model.Path);
        writer.WriteString("inputName", model.InputName);
        writer.WriteString("inputLayout", model.InputLayout);
        writer.WriteString("outputName", model.OutputName);
        writer.WriteString("outputLayout", model.OutputLayout);
        writer.WriteString("outputKind", model.OutputKind);
        writer.WriteString("executionProvider", model.ExecutionProvider);
        writer.WriteEndObject();
        writer.WritePropertyName("options");
        JsonSerializer.Serialize(writer, options);
        writer.WriteNumber("imageCount", metrics.ImageCount);
        writer.WriteNumber("pixelCount", metrics.PixelCount);
        writer.WriteNumber("numClasses", metrics.NumClasses);
        writer.WriteStartArray("classNames");
        foreach (string name in metrics.ClassNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        Number(writer, "pixelAccuracy", metrics.PixelAccuracy);
        Number(writer, "meanAccuracy", metrics.MeanAccuracy);
        Number(writer, "meanIoU", metrics.MeanIoU);
        Number(writer, "meanDice", metrics.MeanDice);
        Number(writer, "frequencyWeightedIoU", metrics.FrequencyWeightedIoU);
        Number(writer, "meanCrossEntropy", meanCrossEntropy ?? double.NaN);
        writer.WriteStartObject("perClass");
        Array(writer, "iou", metrics.PerClassIoU);
        Array(writer, "dice", metrics.PerClassDice);
        Array(writer, "precision", metrics.PerClassPrecision);
        Array(writer, "recall", metrics.PerClassRecall);
        writer.WriteStartArray("support");
        foreach (long s in metrics.PerClassSupport)
        {
            writer.WriteNumberValue(s);
        }

        writer.WriteEndArray();
        if (metrics.Boundary is { } boundary)
        {
            Number(writer, "boundaryPercentile", boundary.Percentile);
            Number(writer, "surfaceTolerance", boundary.SurfaceTolerance);
            Array(writer, "hausdorff", boundary.PerClassHausdorff);
            Array(writer, "averageSurfaceDistance", boundary.PerClassAverageSurfaceDistance);
            Array(writer, "surfaceDice", boundary.PerClassSurfaceDice);
            Array(writer, "boundaryIoU", boundary.PerClassBoundaryIoU);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("confusionMatrix");
        for (int t = 0; t < metrics.NumClasses; t++)
        {
            writer.WriteStartArray();
            for (int p = 0; p < metrics.NumClasses; p++)
            {
                writer.WriteNumberValue(metrics.GetConfusionCount(t, p));
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
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

    private static void Array(Utf8JsonWriter writer, string name, IReadOnlyList<double> values)
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
