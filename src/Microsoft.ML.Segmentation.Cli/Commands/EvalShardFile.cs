using System.Text.Json;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// The file <c>segml eval --state</c> writes and <c>segml merge</c> reads: the library's
/// <see cref="SegmentationEvaluationState"/> plus what eval reports beyond metrics — the model, the options of the
/// JSON report, the dataset size (to check the shards cover it) and each image's cross-entropy (to average in
/// dataset order, as a single run does).
/// </summary>
internal sealed record EvalShardFile(
    ModelDescription Model,
    JsonElement Options,
    int DatasetImageCount,
    IReadOnlyList<double?> CrossEntropy,
    SegmentationEvaluationState State)
{
    private const string FormatName = "segml.eval-state";

    public static void Write(string path, ModelDescription model, IReadOnlyDictionary<string, object?> options, int datasetImageCount, IReadOnlyList<double?> crossEntropy, SegmentationEvaluationState state)
    {
        using FileStream stream = File.Create(path);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", 1);
            writer.WritePropertyName("model");
            JsonSerializer.Serialize(writer, model);
            writer.WritePropertyName("options");
            JsonSerializer.Serialize(writer, options);
            writer.WriteNumber("datasetImageCount", datasetImageCount);
            writer.WriteStartArray("crossEntropy");
            foreach (double? loss in crossEntropy)
            {
                if (loss is double v)
                {
                    writer.WriteNumberValue(v);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
            writer.WritePropertyName("state");
            using JsonDocument inner = JsonDocument.Parse(state.ToJson());
            inner.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        }
    }

    /// <exception cref="InvalidDataException">The file is not an eval state; the message names it.</exception>
    public static EvalShardFile Read(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.GetString() != FormatName)
            {
                throw new InvalidDataException($"not a 'segml eval --state' file (no \"format\": \"{FormatName}\").");
            }

            if (root.GetProperty("version").GetInt32() != 1)
            {
                throw new InvalidDataException($"format version {root.GetProperty("version").GetInt32()} is newer than this segml reads (1).");
            }

            ModelDescription model = root.GetProperty("model").Deserialize<ModelDescription>() ?? throw new InvalidDataException("the model is null.");
            double?[] losses = root.GetProperty("crossEntropy").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToArray();
            SegmentationEvaluationState state = SegmentationEvaluationState.FromJson(root.GetProperty("state").GetRawText());
            if (losses.Length != state.ImageCount)
            {
                throw new InvalidDataException($"{losses.Length} cross-entropy values for {state.ImageCount} images.");
            }

            return new EvalShardFile(model, root.GetProperty("options").Clone(), root.GetProperty("datasetImageCount").GetInt32(), losses, state);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }
}
