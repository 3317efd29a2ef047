using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// SegML's own model file: a zip archive with <c>segml-model.json</c> (format name, version, one entry per stage with
/// its column names and options) and one <c>stage-N.onnx</c> per ONNX scoring stage, the model's exact bytes.
/// </summary>
/// <remarks>
/// ML.NET's <c>mlContext.Model.Save</c> cannot write third-party transformers (its writer is internal), so SegML
/// pipelines are saved here. Saved: <c>LoadImages</c>, <c>LoadMasks</c>, <c>ScoreOnnx</c>, <c>PredictMasks</c>;
/// a trained <see cref="SegmentationHeadTransformer"/> is saved as the ScoreOnnx stage it scores with.
/// <c>ComputeLosses</c> holds arbitrary loss objects and is not saved: fit it again after loading (it needs no training).
/// </remarks>
internal static class SegmentationModelArchive
{
    public const string FormatName = "SegML pipeline";
    public const int FormatVersion = 1;
    private const string ManifestName = "segml-model.json";

    public static void Save(ITransformer model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        SegmentationTransformerBase[] stages = Flatten(model).ToArray();
        var manifest = new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion };
        var entries = new JsonArray();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        for (int i = 0; i < stages.Length; i++)
        {
            StageDescription stage = stages[i].Describe();
            var entry = new JsonObject { ["kind"] = stage.Kind, ["settings"] = stage.Settings.DeepClone() };
            if (stage.Payload is not null)
            {
                string name = $"stage-{i}.onnx";
                entry["payload"] = name;
                using Stream payload = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                payload.Write(stage.Payload);
            }

            entries.Add(entry);
        }

        manifest["stages"] = entries;
        using Stream manifestStream = zip.CreateEntry(ManifestName, CompressionLevel.Optimal).Open();
        using var writer = new Utf8JsonWriter(manifestStream, new JsonWriterOptions { Indented = true });
        manifest.WriteTo(writer);
    }

    public static ITransformer Load(Stream stream, MLContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        ZipArchiveEntry manifestEntry = zip.GetEntry(ManifestName)
            ?? throw new InvalidDataException($"'{name}' is not a SegML model: it has no {ManifestName}.");
        JsonObject manifest;
        using (Stream manifestStream = manifestEntry.Open())
        {
            manifest = JsonNode.Parse(manifestStream) as JsonObject ?? throw new InvalidDataException($"'{name}': {ManifestName} is not a JSON object.");
        }

        if ((string?)manifest["format"] != FormatName || (int?)manifest["version"] is not int version || version > FormatVersion)
        {
            throw new InvalidDataException($"'{name}' is '{manifest["format"]}' version {manifest["version"]}; this SegML reads '{FormatName}' up to version {FormatVersion}.");
        }

        var stages = new List<ITransformer>();
        try
        {
            foreach (JsonObject entry in (manifest["stages"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                byte[]? payload = null;
                if ((string?)entry["payload"] is string payloadName)
                {
                    ZipArchiveEntry part = zip.GetEntry(payloadName) ?? throw new InvalidDataException($"'{name}' lists {payloadName} but does not contain it.");
                    using Stream partStream = part.Open();
                    using var buffer = new MemoryStream();
                    partStream.CopyTo(buffer);
                    payload = buffer.ToArray();
                }

                var stage = new StageDescription((string?)entry["kind"] ?? string.Empty, entry["settings"] as JsonObject ?? new JsonObject(), payload);
                stages.Add(Create(stage, context, name));
            }
        }
        catch
        {
            foreach (IDisposable disposable in stages.OfType<IDisposable>())
            {
                disposable.Dispose();
            }

            throw;
        }

        return new TransformerChain<ITransformer>(stages.ToArray());
    }

    private static ITransformer Create(StageDescription stage, MLContext context, string name) => stage.Kind switch
    {
        ImageLoadingTransformer.Kind => ImageLoadingTransformer.Create(stage),
        MaskLoadingTransformer.Kind => MaskLoadingTransformer.Create(stage),
        OnnxScoringTransformer.Kind => OnnxScoringTransformer.Create(stage, context),
        MaskPredictingTransformer.Kind => MaskPredictingTransformer.Create(stage),
        _ => throw new InvalidDataException($"'{name}' has a stage of kind '{stage.Kind}', which this SegML does not know."),
    };

    private static IEnumerable<SegmentationTransformerBase> Flatten(ITransformer model)
    {
        if (model is SegmentationTransformerBase single)
        {
            yield return single;
            yield break;
        }

        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (ITransformer inner in chain)
            {
                foreach (SegmentationTransformerBase stage in Flatten(inner))
                {
                    yield return stage;
                }
            }

            yield break;
        }

        throw new NotSupportedException(
            $"A SegML model file holds SegML stages only; {model.GetType().Name} is not one. Save ML.NET's own stages with mlContext.Model.Save, or keep them out of the saved chain.");
    }
}
