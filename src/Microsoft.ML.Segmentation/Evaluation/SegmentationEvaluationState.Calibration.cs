using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <content>
/// The calibration part of the JSON form (version 3): <c>"options": {"calibration": null | {"bins", "reduction"}}</c>
/// and, at the top level, <c>"calibration": null | {"topLabel": bins, "classes": [bins per class]}</c> with
/// <c>bins = {"count": [...], "confidence": [...], "accuracy": [...]}</c>: per-bin counts, and the confidence and
/// accuracy sums as decimal strings of 128-bit integers in units of 2⁻⁶⁴ (the exact fixed-point sums, so that merged
/// shards equal a single run bit for bit). Versions 1 and 2 have neither: they read as calibration off.
/// </content>
public sealed partial class SegmentationEvaluationState
{
    private static void WriteCalibrationSettings(Utf8JsonWriter writer, CalibrationOptions? settings)
    {
        if (settings is null)
        {
            writer.WriteNull("calibration");
            return;
        }

        writer.WriteStartObject("calibration");
        writer.WriteNumber("bins", settings.Bins);
        writer.WriteString("reduction", settings.Reduction.ToString());
        writer.WriteEndObject();
    }

    private static CalibrationOptions? ReadCalibrationSettings(JsonElement options, int version)
    {
        if (version < 3 || !options.TryGetProperty("calibration", out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return new CalibrationOptions
        {
            Bins = element.GetProperty("bins").GetInt32(),
            Reduction = Enum.Parse<CalibrationReduction>(element.GetProperty("reduction").GetString()!),
        };
    }

    private void WriteCalibrationBins(Utf8JsonWriter writer)
    {
        if (_calibrationBins is null)
        {
            writer.WriteNull("calibration");
            return;
        }

        writer.WriteStartObject("calibration");
        WriteBins(writer, "topLabel", _calibrationBins[0]);
        writer.WriteStartArray("classes");
        for (int c = 1; c < _calibrationBins.Length; c++)
        {
            WriteBins(writer, null, _calibrationBins[c]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static CalibrationSums[]? ReadCalibrationBins(JsonElement root, CalibrationOptions? settings, int classes)
    {
        if (settings is null)
        {
            return null;
        }

        JsonElement element = root.GetProperty("calibration");
        var result = new List<CalibrationSums> { ReadBins(element.GetProperty("topLabel"), settings.Bins) };
        result.AddRange(element.GetProperty("classes").EnumerateArray().Select(e => ReadBins(e, settings.Bins)));
        if (result.Count != classes + 1)
        {
            throw new InvalidDataException($"The state holds calibration bins for {result.Count - 1} classes, not {classes}.");
        }

        return result.ToArray();
    }

    private static void WriteBins(Utf8JsonWriter writer, string? name, CalibrationSums bins)
    {
        if (name is null)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartObject(name);
        }

        Longs(writer, "count", bins.Count);
        writer.WriteStartArray("confidence");
        foreach (Int128 v in bins.Confidence)
        {
            writer.WriteStringValue(CalibrationSums.Format(v));
        }

        writer.WriteEndArray();
        writer.WriteStartArray("accuracy");
        foreach (Int128 v in bins.Accuracy)
        {
            writer.WriteStringValue(CalibrationSums.Format(v));
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static CalibrationSums ReadBins(JsonElement element, int bins)
    {
        long[] count = element.GetProperty("count").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Int128[] confidence = element.GetProperty("confidence").EnumerateArray().Select(ReadFixed).ToArray();
        Int128[] accuracy = element.GetProperty("accuracy").EnumerateArray().Select(ReadFixed).ToArray();
        if (count.Length != bins || confidence.Length != bins || accuracy.Length != bins)
        {
            throw new InvalidDataException($"Calibration bins hold {count.Length}, {confidence.Length} and {accuracy.Length} values, not {bins}.");
        }

        var sums = new CalibrationSums(bins);
        count.CopyTo(sums.Count, 0);
        confidence.CopyTo(sums.Confidence, 0);
        accuracy.CopyTo(sums.Accuracy, 0);
        return sums;
    }

    private static Int128 ReadFixed(JsonElement element)
        => CalibrationSums.Parse(element.GetString() ?? throw new FormatException("A calibration sum is null."));
}
