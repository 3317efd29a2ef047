using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <content>
/// The JSON form: <c>{"format": "segml.evaluation-state", "version": 2, "classNames", "options", "shard", "confusion"
/// (C·C counts, row = truth), "images": [{"pixels", "tp", "fp", "fn", "boundary"?}]}</c>. Counts are integers;
/// doubles are written in their shortest round-trip form, and non-finite boundary values as the strings
/// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, so a round trip is lossless.
/// <para>Version 2 writes the boundary settings as <c>"options": {"boundaryMetrics": null | {"percentile" (null: the
/// maximum), "surfaceTolerance", "boundaryWidth", "spacing" (null or one per axis), "metric", "directed",
/// "symmetric"}}</c>; version 3 adds the calibration settings and per-bin sums (see the calibration part). Version 1 states (<c>"boundaryMetrics": true/false</c> beside <c>"boundaryPercentile"</c>,
/// <c>"surfaceTolerance"</c> and <c>"boundaryWidth"</c>) are still read, as the settings that evaluator used: a
/// percentile of 100 was computed as the maximum and the average surface distance was always symmetric.</para>
/// </content>
public sealed partial class SegmentationEvaluationState
{
    private const string FormatName = "segml.evaluation-state";

    /// <summary>The state as indented JSON.</summary>
    /// <returns>The JSON document.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the state as JSON (UTF-8) to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", CurrentVersion);
        writer.WriteStartArray("classNames");
        foreach (string name in _classNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("options");
        if (IgnoreIndex is int ignore)
        {
            writer.WriteNumber("ignoreIndex", ignore);
        }
        else
        {
            writer.WriteNull("ignoreIndex");
        }

        writer.WriteString("reduction", Reduction.ToString());
        writer.WriteString("absentClass", AbsentClass.ToString());
        writer.WriteString("absence", Absence.ToString());
        WriteBoundarySettings(writer, _boundaryMetrics);
        WriteCalibrationSettings(writer, _calibration);
        writer.WriteEndObject();
        if (Shard is EvaluationShard shard)
        {
            writer.WriteStartObject("shard");
            writer.WriteNumber("index", shard.Index);
            writer.WriteNumber("count", shard.Count);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("shard");
        }

        Longs(writer, "confusion", _confusion);
        writer.WriteStartArray("images");
        for (int n = 0; n < _imageCounts.Length; n++)
        {
            ConfusionCounts counts = _imageCounts[n];
            writer.WriteStartObject();
            writer.WriteNumber("pixels", counts[0].Total);
            Longs(writer, "tp", counts.Classes.Select(k => k.TruePositives));
            Longs(writer, "fp", counts.Classes.Select(k => k.FalsePositives));
            Longs(writer, "fn", counts.Classes.Select(k => k.FalseNegatives));
            if (_imageBoundary is not null)
            {
                writer.WriteStartArray("boundary");
                foreach (double v in _imageBoundary[n])
                {
                    WriteDouble(writer, v);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        SkippedImage.WriteJsonArray(writer, _skipped);
        WriteCalibrationBins(writer);
        writer.WriteEndObject();
    }

    /// <summary>Reads a state written by <see cref="ToJson"/> or <see cref="WriteTo"/>.</summary>
    /// <param name="json">The JSON document.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">The document is not a state, is of a newer version, or is inconsistent; the message says what.</exception>
    public static SegmentationEvaluationState FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not an evaluation state: {e.Message}", e);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"Not a valid evaluation state: {e.Message}", e);
        }
    }

    /// <summary>Reads a state from a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid state; the message names it.</exception>
    public static SegmentationEvaluationState Load(string path)
    {
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    private static SegmentationEvaluationState Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.GetString() != FormatName)
        {
            throw new InvalidDataException($"Not an evaluation state: the document lacks \"format\": \"{FormatName}\".");
        }

        int version = root.GetProperty("version").GetInt32();
        if (version < 1 || version > CurrentVersion)
        {
            throw new InvalidDataException($"The state has format version {version}; this library reads versions 1..{CurrentVersion}.");
        }

        string[] names = root.GetProperty("classNames").EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("A class name is null.")).ToArray();
        JsonElement o = root.GetProperty("options");
        JsonElement ignore = o.GetProperty("ignoreIndex");
        var options = new SegmentationEvaluatorOptions
        {
            ClassNames = names,
            IgnoreIndex = ignore.ValueKind == JsonValueKind.Null ? null : ignore.GetInt32(),
            Reduction = Enum.Parse<MetricReduction>(o.GetProperty("reduction").GetString()!),
            AbsentClass = Enum.Parse<AbsentClassPolicy>(o.GetProperty("absentClass").GetString()!),
            Absence = Enum.Parse<AbsenceCriterion>(o.GetProperty("absence").GetString()!),
            BoundaryMetrics = version == 1 ? ReadVersion1BoundarySettings(o) : ReadBoundarySettings(o.GetProperty("boundaryMetrics")),
            Calibration = ReadCalibrationSettings(o, version),
        };

        JsonElement shardElement = root.GetProperty("shard");
        EvaluationShard? shard = shardElement.ValueKind == JsonValueKind.Null
            ? null
            : new EvaluationShard(shardElement.GetProperty("index").GetInt32(), shardElement.GetProperty("count").GetInt32());
        int c = names.Length;
        long[] confusion = root.GetProperty("confusion").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        if (c == 0 || confusion.Length != (long)c * c)
        {
            throw new InvalidDataException($"The state names {c} classes but holds {confusion.Length} confusion counts, not {(long)c * c}.");
        }

        var counts = new List<ConfusionCounts>();
        List<double[]>? boundary = options.BoundaryMetrics is not null ? new() : null;
        foreach (JsonElement image in root.GetProperty("images").EnumerateArray())
        {
            counts.Add(ReadCounts(image, c, counts.Count));
            if (boundary is not null)
            {
                double[] values = image.GetProperty("boundary").EnumerateArray().Select(ReadDouble).ToArray();
                if (values.Length != 4 * c)
                {
                    throw new InvalidDataException($"Image {counts.Count - 1} holds {values.Length} boundary values, not 4 × {c}.");
                }

                boundary.Add(values);
            }
        }

        // Optional: states written before skipped rows were recorded have none.
        SkippedImage[] skipped = root.TryGetProperty("skipped", out JsonElement skippedElement)
            ? skippedElement.EnumerateArray().Select(SkippedImage.FromJson).ToArray()
            : [];
        return new SegmentationEvaluationState(names, options, shard, confusion, counts.ToArray(), boundary?.ToArray(), skipped, ReadCalibrationBins(root, options.Calibration, c));
    }

    private static void WriteBoundarySettings(Utf8JsonWriter writer, BoundaryMetricOptions? settings)
    {
        if (settings is null)
        {
            writer.WriteNull("boundaryMetrics");
            return;
        }

        writer.WriteStartObject("boundaryMetrics");
        if (settings.Percentile is double percentile)
        {
            writer.WriteNumber("percentile", percentile);
        }
        else
        {
            writer.WriteNull("percentile");
        }

        writer.WriteNumber("surfaceTolerance", settings.SurfaceTolerance);
        writer.WriteNumber("boundaryWidth", settings.BoundaryWidth);
        if (settings.Spacing is { } spacing)
        {
            writer.WriteStartArray("spacing");
            foreach (double s in spacing)
            {
                writer.WriteNumberValue(s);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("spacing");
        }

        writer.WriteString("metric", settings.Metric.ToString());
        writer.WriteBoolean("directed", settings.Directed);
        writer.WriteBoolean("symmetric", settings.Symmetric);
        writer.WriteEndObject();
    }

    private static BoundaryMetricOptions? ReadBoundarySettings(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        JsonElement percentile = element.GetProperty("percentile");
        JsonElement spacing = element.GetProperty("spacing");
        return new BoundaryMetricOptions
        {
            Percentile = percentile.ValueKind == JsonValueKind.Null ? null : percentile.GetDouble(),
            SurfaceTolerance = element.GetProperty("surfaceTolerance").GetDouble(),
            BoundaryWidth = element.GetProperty("boundaryWidth").GetDouble(),
            Spacing = spacing.ValueKind == JsonValueKind.Null ? null : spacing.EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            Metric = Enum.Parse<DistanceMetric>(element.GetProperty("metric").GetString()!),
            Directed = element.GetProperty("directed").GetBoolean(),
            Symmetric = element.GetProperty("symmetric").GetBoolean(),
        };
    }

    /// <summary>The settings a version-1 state's evaluator used: it computed a percentile of 100 as the maximum and always the symmetric average surface distance.</summary>
    private static BoundaryMetricOptions? ReadVersion1BoundarySettings(JsonElement options)
    {
        if (!options.GetProperty("boundaryMetrics").GetBoolean())
        {
            return null;
        }

        double percentile = options.GetProperty("boundaryPercentile").GetDouble();
        return new BoundaryMetricOptions
        {
            Percentile = percentile == 100 ? null : percentile,
            SurfaceTolerance = options.GetProperty("surfaceTolerance").GetDouble(),
            BoundaryWidth = options.GetProperty("boundaryWidth").GetDouble(),
            Symmetric = true,
        };
    }

    private static ConfusionCounts ReadCounts(JsonElement image, int c, int index)
    {
        long pixels = image.GetProperty("pixels").GetInt64();
        long[] tp = image.GetProperty("tp").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        long[] fp = image.GetProperty("fp").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        long[] fn = image.GetProperty("fn").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        if (tp.Length != c || fp.Length != c || fn.Length != c)
        {
            throw new InvalidDataException($"Image {index} holds {tp.Length}, {fp.Length} and {fn.Length} counts for {c} classes.");
        }

        var classes = new ClassConfusion[c];
        for (int k = 0; k < c; k++)
        {
            // TN is not stored: for exclusive classes it is the image's counted pixels minus the other three.
            classes[k] = new ClassConfusion(tp[k], fp[k], fn[k], pixels - tp[k] - fp[k] - fn[k]);
        }

        return new ConfusionCounts(classes);
    }

    private static void Longs(Utf8JsonWriter writer, string name, IEnumerable<long> values)
    {
        writer.WriteStartArray(name);
        foreach (long v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static double ReadDouble(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            string s => throw new FormatException($"'{s}' is not a number."),
            null => throw new FormatException("A boundary value is null."),
        },
        _ => throw new FormatException($"A boundary value is {element.ValueKind}, not a number."),
    };
}
