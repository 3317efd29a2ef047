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
/// pipelines are saved here. Saved: <c>LoadImages</c>, <c>LoadMasks</c>, <c>ScoreOnnx</c>, <c>PredictMasks</c>, and
/// <c>ComputeLosses</c> with each built-in loss's type and options, or a peer preset's call (<see cref="SavedLoss"/>); a trained
/// <see cref="SegmentationHeadTransformer"/> is saved as the ScoreOnnx stage it scores with. A loss SegML cannot
/// describe makes saving throw, unless <see cref="SegmentationModelSaveOptions.OmitLossStages"/> leaves the loss
/// stages out (the manifest's <c>omittedStages</c> lists them with their columns).
/// </remarks>
internal static class SegmentationModelArchive
{
    public const string FormatName = "SegML pipeline";
    public const int FormatVersion = 1;
    private const string ManifestName = "segml-model.json";

    public static void Save(ITransformer model, Stream stream, SegmentationModelSaveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        bool omitLosses = options?.OmitLossStages ?? false;
        SegmentationTransformerBase[] stages = Flatten(model).ToArray();

        // Every stage is described before the archive is started, so a stage SegML cannot save leaves the stream untouched.
        var described = new List<StageDescription>(stages.Length);
        var omitted = new JsonArray();
        foreach (SegmentationTransformerBase stage in stages)
        {
            if (omitLosses && stage is LossComputingTransformer losses)
            {
                omitted.Add(new JsonObject
                {
                    ["kind"] = LossComputingTransformer.Kind,
                    ["position"] = described.Count,
                    ["lossColumns"] = new JsonArray(losses.LossColumnNames.Select(c => (JsonNode?)c).ToArray()),
                    ["scores"] = losses.ScoresColumnName,
                    ["mask"] = losses.MaskColumnName,
                    ["geometry"] = losses.GeometryColumnName,
                });
                continue;
            }

            described.Add(stage.Describe());
        }

        var manifest = new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion };
        var entries = new JsonArray();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        for (int i = 0; i < described.Count; i++)
        {
            StageDescription stage = described[i];
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
        if (omitted.Count > 0)
        {
            // Recorded so a reader sees what the file lacks; "position" is the index in "stages" the stage stood before.
            manifest["omittedStages"] = omitted;
        }

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
        LossComputingTransformer.Kind => LossComputingTransformer.Create(stage),
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
