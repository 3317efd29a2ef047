using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A deep copy of a loss's options, taken when the loss is built, so a saved pipeline records the settings the loss
/// runs with even if the caller changes (or reuses) the options object afterwards.
/// </summary>
internal static class LossOptionsSnapshot
{
    // Named literals: a class weight may legitimately be written as a large double, and validation (not the copy)
    // is what rejects values a loss cannot use.
    private static readonly JsonSerializerOptions s_json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Copies <paramref name="options"/> through its JSON form (every public settable property).</summary>
    public static T Copy<T>(T options)
        where T : class
        => JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(options, s_json), s_json)!;
}
