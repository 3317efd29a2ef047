using System.Collections.Generic;
using System.Text.Json;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>A row left out of the metrics under <see cref="BadRowPolicy.SkipAndRecord"/> (or by <c>segml --skip-bad</c>), and why.</summary>
/// <param name="RowIndex">The row's 0-based position in the evaluated data (in a shard: in the whole dataset).</param>
/// <param name="Name">The row's name or image path when the data has one; otherwise <see langword="null"/>.</param>
/// <param name="Reason">The failure's message (it names the file that could not be read).</param>
/// <remarks>In every JSON document SegML writes (metrics, evaluation state, <c>segml predict --json</c>) the list is
/// <c>"skipped": [{"row", "name", "reason"}]</c>.
/// <para>Thread safety: immutable; safe to share.</para></remarks>
public sealed record SkippedImage(long RowIndex, string? Name, string Reason)
{
    /// <summary>Writes <c>"skipped": [...]</c>, the one JSON form of skipped rows.</summary>
    internal static void WriteJsonArray(Utf8JsonWriter writer, IEnumerable<SkippedImage> skipped)
    {
        writer.WriteStartArray("skipped");
        foreach (SkippedImage image in skipped)
        {
            writer.WriteStartObject();
            writer.WriteNumber("row", image.RowIndex);
            writer.WriteString("name", image.Name);
            writer.WriteString("reason", image.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads one element written by <see cref="WriteJsonArray"/>.</summary>
    internal static SkippedImage FromJson(JsonElement element)
        => new(element.GetProperty("row").GetInt64(), element.GetProperty("name").GetString(), element.GetProperty("reason").GetString() ?? string.Empty);
}
