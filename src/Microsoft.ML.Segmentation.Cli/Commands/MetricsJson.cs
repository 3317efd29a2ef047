using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// The document of <c>segml eval --json</c>: the run (<c>model</c>, <c>options</c>, <c>partial</c>, <c>imagesGiven</c>,
/// <c>imagesDone</c>, <c>meanCrossEntropy</c>) and then every field of <see cref="SegmentationMetrics.ToJson"/>, unchanged.
/// NaN (an absent class) is written as null.
/// </summary>
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
            SkippedImage.WriteJsonArray(writer, skipped);
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
        Number(writer, "meanCrossEntropy", meanCrossEntropy ?? double.NaN);

        // The metrics exactly as SegmentationMetrics.ToJson writes them: segml eval and Evaluate give one document.
        metrics.WriteJsonProperties(writer);
        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double value) => SegmentationMetrics.JsonNumber(writer, name, value);
}
