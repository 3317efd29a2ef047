using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// One saved pipeline stage: its kind, its settings as JSON, and any binary part (an ONNX model) stored beside the
/// manifest in the archive.
/// </summary>
internal sealed class StageDescription
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new MaskColorTableConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public StageDescription(string kind, JsonObject settings, byte[]? payload = null)
    {
        Kind = kind;
        Settings = settings;
        Payload = payload;
    }

    public string Kind { get; }

    public JsonObject Settings { get; }

    public byte[]? Payload { get; }

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Json);

    public T Read<T>(string name) => Settings[name].Deserialize<T>(Json)
        ?? throw new InvalidDataException($"The saved '{Kind}' stage has no '{name}'.");

    public T? ReadOrDefault<T>(string name) => Settings[name] is JsonNode node ? node.Deserialize<T>(Json) : default;

    public static JsonObject Columns(params (string Key, string? Value)[] columns)
    {
        var obj = new JsonObject();
        foreach ((string key, string? value) in columns)
        {
            obj[key] = value;
        }

        return obj;
    }
}

/// <summary>The JSON form of a <see cref="Imaging.MaskColorTable"/>: colour (0xRRGGBB) → class.</summary>
internal sealed class MaskColorTableConverter : JsonConverter<Imaging.MaskColorTable>
{
    public override Imaging.MaskColorTable Read(ref Utf8JsonReader reader, System.Type typeToConvert, JsonSerializerOptions options)
        => new(JsonSerializer.Deserialize<Dictionary<int, int>>(ref reader, options) ?? new Dictionary<int, int>());

    public override void Write(Utf8JsonWriter writer, Imaging.MaskColorTable value, JsonSerializerOptions options)
        => JsonSerializer.Serialize(writer, new Dictionary<int, int>(value.Entries), options);
}
