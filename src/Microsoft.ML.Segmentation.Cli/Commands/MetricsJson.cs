using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>Writes <see cref="SegmentationMetrics"/> as JSON: summaries, per-class arrays, the confusion matrix, class names, model and options. NaN (absent class) is written as null.</summary>
internal static class MetricsJson
{
    /// <summary>How the run went: whether it was cancelled (the metrics then cover the images done so far) and how many images it was given.</summary>
    /// <param name="Partial">Cancelled before the last image.</param>
    /// <param name="ImagesGiven">The images the run was given.</param>
    public readonly record struct RunState(bool Partial, int ImagesGiven);

    public static void Write(string path, SegmentationMetrics metrics, SegmentationModel model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy, RunState state)
        => Write(path, metrics, ModelDescription.From(model), options, meanCrossEntropy, state);

    /// <summary>The document for a model known by its description (<c>segml merge</c>, which loads no model).</summary>
    public static void Write(string path, SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy, RunState state)
    {
        using FileStream stream = File.Create(path);
        Write(stream, metrics, model, options, meanCrossEntropy, state);
    }

    /// <summary>The same document as a string, for <c>--json -</c> (stdout).</summary>
    public static string ToJson(SegmentationMetrics metrics, SegmentationModel model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy, RunState state)
        => ToJson(metrics, ModelDescription.From(model), options, meanCrossEntropy, state);

    /// <summary>The document as a string, for a model known by its description.</summary>
    public static string ToJson(SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy, RunState state)
    {
        using var stream = new MemoryStream();
        Write(stream, metrics, model, options, meanCrossEntropy, state);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The document of a run cancelled before any image was evaluated: no metrics, only the counts and the skipped images.</summary>
    public static string PartialWithoutMetrics(SegmentationModel model, int imagesDone, int imagesGiven, IReadOnlyList<SkippedImage> skipped)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            WriteModel(writer, ModelDescription.From(model));
            writer.WriteBoolean("partial", true);
            writer.WriteNumber("imagesGiven", imagesGiven);
            writer.WriteNumber("imagesDone", imagesDone);
            writer.WriteNumber("imageCount", 0);
            WriteSkipped(writer, skipped);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteModel(Utf8JsonWriter writer, ModelDescription model)
    {
        writer.WriteStartObject("model");
        writer.WriteString("path", model.Path);
        writer.WriteString("inputName", model.InputName);
        writer.WriteString("inputLayout", model.InputLayout);
        writer.WriteString("outputName", model.OutputName);
        writer.WriteString("outputLayout", model.OutputLayout);
        writer.WriteString("outputKind", model.OutputKind);
        writer.WriteString("executionProvider", model.ExecutionProvider);
        writer.WriteEndObject();
    }

    /// <summary>Every skipped image with its index, name and reason: nothing is dropped silently.</summary>
    private static void WriteSkipped(Utf8JsonWriter writer, IReadOnlyList<SkippedImage> skipped)
    {
        writer.WriteStartArray("skippedImages");
        foreach (SkippedImage image in skipped)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", image.RowIndex);
            writer.WriteString("name", image.Name);
            writer.WriteString("reason", image.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void Write(Stream stream, SegmentationMetrics metrics, ModelDescription model, IReadOnlyDictionary<string, object?> options, double? meanCrossEntropy, RunState state)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        WriteModel(writer, model);
        writer.WritePropertyName("options");
        JsonSerializer.Serialize(writer, options);
        writer.WriteBoolean("partial", state.Partial);
        writer.WriteNumber("imagesGiven", state.ImagesGiven);
        writer.WriteNumber("imagesDone", metrics.ImageCount + metrics.SkippedImages.Count);
        writer.WriteNumber("imageCount", metrics.ImageCount);
        WriteSkipped(writer, metrics.SkippedImages);
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
