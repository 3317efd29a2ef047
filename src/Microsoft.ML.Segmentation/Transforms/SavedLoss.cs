using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The JSON form of a loss in a saved <c>ComputeLosses</c> stage: <c>{"type": "DiceLoss", "options": {…}}</c> for a
/// built-in loss with every option it was built with; <c>CombinedLoss</c> lists its weighted parts, the peer
/// presets' target wrappers (ignore index, background dropped, clamped one-hot) hold the loss they wrap, and a
/// <see cref="PeerLoss"/> (MONAI, and some mmseg and smp presets) is the preset call that built it, made again on loading.
/// </summary>
/// <remarks>
/// A loss SegML did not write (an application's own <see cref="ISegmentationLoss"/>) has no description: saving
/// it throws <see cref="NotSupportedException"/> naming its type and <see cref="SegmentationModelSaveOptions.OmitLossStages"/>.
/// </remarks>
internal static class SavedLoss
{
    private const string TypeKey = "type";
    private const string OptionsKey = "options";

    /// <summary>Describes <paramref name="loss"/>, the loss of column <paramref name="column"/> (named in the error).</summary>
    /// <exception cref="NotSupportedException">The loss, or a part it holds, is not one SegML can describe.</exception>
    public static JsonObject Describe(ISegmentationLoss loss, string column) => loss switch
    {
        CrossEntropyLoss l => Options(nameof(CrossEntropyLoss), l.SavedOptions),
        BinaryCrossEntropyLoss l => Options(nameof(BinaryCrossEntropyLoss), l.SavedOptions),
        DiceLoss l => Options(nameof(DiceLoss), l.SavedOptions),
        JaccardLoss l => Options(nameof(JaccardLoss), l.SavedOptions),
        TverskyLoss l => Options(nameof(TverskyLoss), l.SavedOptions),
        FocalLoss l => Options(nameof(FocalLoss), l.SavedOptions),
        LovaszSoftmaxLoss l => Options(nameof(LovaszSoftmaxLoss), l.SavedOptions),
        LovaszHingeLoss l => Options(nameof(LovaszHingeLoss), l.SavedOptions),
        GeneralizedDiceLoss l => Options(nameof(GeneralizedDiceLoss), l.SavedOptions),
        MatthewsCorrelationLoss l => Options(nameof(MatthewsCorrelationLoss), l.SavedOptions),
        HausdorffDistanceLoss l => Options(nameof(HausdorffDistanceLoss), l.SavedOptions),
        ClDiceLoss l => Options(nameof(ClDiceLoss), l.SavedOptions),
        GeneralizedWassersteinDiceLoss l => Options(nameof(GeneralizedWassersteinDiceLoss), l.SavedOptions),
        AsymmetricUnifiedFocalLoss l => Options(nameof(AsymmetricUnifiedFocalLoss), l.SavedOptions),
        BoundaryLoss l => Options(nameof(BoundaryLoss), l.SavedOptions),
        BalancedBinaryCrossEntropyLoss l => Options(nameof(BalancedBinaryCrossEntropyLoss), l.SavedOptions),
        OhemCrossEntropyLoss l => Options(nameof(OhemCrossEntropyLoss), l.SavedOptions),
        CombinedLoss l => new JsonObject
        {
            [TypeKey] = nameof(CombinedLoss),
            ["parts"] = new JsonArray(l.Parts.Select(p => (JsonNode)new JsonObject { ["weight"] = p.Weight, ["loss"] = Describe(p.Loss, column) }).ToArray()),
        },
        IgnoreIndexLoss l => new JsonObject { [TypeKey] = nameof(IgnoreIndexLoss), ["ignoreIndex"] = l.IgnoreIndex, ["inner"] = Describe(l.Inner, column) },
        BackgroundDroppedLoss l => new JsonObject { [TypeKey] = nameof(BackgroundDroppedLoss), ["inner"] = Describe(l.Inner, column) },
        ClampedOneHotLoss l => new JsonObject { [TypeKey] = nameof(ClampedOneHotLoss), ["inner"] = Describe(l.Inner, column) },
        PeerLoss { Preset: PeerPreset preset } l => new JsonObject
        {
            [TypeKey] = nameof(PeerLoss),
            ["name"] = l.Name,
            ["catalog"] = preset.Catalog,
            ["method"] = preset.Method,
            ["arguments"] = new JsonObject(preset.Arguments.Select(a => KeyValuePair.Create(a.Name, StageDescription.ToNode(a.Value)))),
        },
        _ => throw new NotSupportedException(
            $"The ComputeLosses column '{column}' holds a {loss.GetType().FullName} ('{loss.Name}'), which SegML cannot save: a model file "
            + "describes the built-in losses of Microsoft.ML.Segmentation.Losses by their options and the presets of Microsoft.ML.Segmentation.Peers by their arguments. "
            + $"Save with new {nameof(SegmentationModelSaveOptions)} {{ {nameof(SegmentationModelSaveOptions.OmitLossStages)} = true }} to leave the loss stages out, "
            + "and append ComputeLosses again after loading (it needs no training)."),
    };

    /// <summary>Builds the loss a <see cref="Describe"/> result describes.</summary>
    /// <exception cref="InvalidDataException">The description names an unknown type or lacks a part.</exception>
    /// <exception cref="ArgumentException">The saved options are out of range (the loss's own check).</exception>
    public static ISegmentationLoss Create(JsonObject description)
    {
        string type = (string?)description[TypeKey] ?? throw new InvalidDataException("A saved loss has no 'type'.");
        return type switch
        {
            nameof(CrossEntropyLoss) => new CrossEntropyLoss(Read<CrossEntropyLossOptions>(description, type)),
            nameof(BinaryCrossEntropyLoss) => new BinaryCrossEntropyLoss(Read<BinaryCrossEntropyLossOptions>(description, type)),
            nameof(DiceLoss) => new DiceLoss(Read<DiceLossOptions>(description, type)),
            nameof(JaccardLoss) => new JaccardLoss(Read<JaccardLossOptions>(description, type)),
            nameof(TverskyLoss) => new TverskyLoss(Read<TverskyLossOptions>(description, type)),
            nameof(FocalLoss) => new FocalLoss(Read<FocalLossOptions>(description, type)),
            nameof(LovaszSoftmaxLoss) => new LovaszSoftmaxLoss(Read<LovaszSoftmaxLossOptions>(description, type)),
            nameof(LovaszHingeLoss) => new LovaszHingeLoss(Read<LovaszHingeLossOptions>(description, type)),
            nameof(GeneralizedDiceLoss) => new GeneralizedDiceLoss(Read<GeneralizedDiceLossOptions>(description, type)),
            nameof(MatthewsCorrelationLoss) => new MatthewsCorrelationLoss(Read<MatthewsCorrelationLossOptions>(description, type)),
            nameof(HausdorffDistanceLoss) => new HausdorffDistanceLoss(Read<HausdorffDistanceLossOptions>(description, type)),
            nameof(ClDiceLoss) => new ClDiceLoss(Read<ClDiceLossOptions>(description, type)),
            nameof(GeneralizedWassersteinDiceLoss) => new GeneralizedWassersteinDiceLoss(Read<GeneralizedWassersteinDiceLossOptions>(description, type)),
            nameof(AsymmetricUnifiedFocalLoss) => new AsymmetricUnifiedFocalLoss(Read<AsymmetricUnifiedFocalLossOptions>(description, type)),
            nameof(BoundaryLoss) => new BoundaryLoss(Read<BoundaryLossOptions>(description, type)),
            nameof(BalancedBinaryCrossEntropyLoss) => new BalancedBinaryCrossEntropyLoss(Read<BalancedBinaryCrossEntropyLossOptions>(description, type)),
            nameof(OhemCrossEntropyLoss) => new OhemCrossEntropyLoss(Read<OhemCrossEntropyLossOptions>(description, type)),
            nameof(CombinedLoss) => new CombinedLoss(Parts(description)),
            nameof(IgnoreIndexLoss) => new IgnoreIndexLoss(Inner(description, type), (int?)description["ignoreIndex"] ?? throw Missing(type, "ignoreIndex")),
            nameof(BackgroundDroppedLoss) => new BackgroundDroppedLoss(Inner(description, type)),
            nameof(ClampedOneHotLoss) => new ClampedOneHotLoss(Inner(description, type)),
            nameof(PeerLoss) => Preset(description),
            _ => throw new InvalidDataException($"A saved loss has the type '{type}', which this SegML does not know."),
        };
    }

    /// <summary>Calls the recorded preset again (<see cref="PeerPreset.Rebuild"/>); a parameter not recorded takes its default.</summary>
    private static PeerLoss Preset(JsonObject description)
    {
        string Text(string key) => (string?)description[key] ?? throw Missing(nameof(PeerLoss), key);
        JsonObject arguments = description["arguments"] as JsonObject ?? throw Missing(nameof(PeerLoss), "arguments");
        return PeerPreset.Rebuild(
            Text("catalog"),
            Text("method"),
            parameter => arguments.TryGetPropertyValue(parameter.Name!, out JsonNode? value) ? value?.Deserialize(parameter.ParameterType, StageDescription.Json) : Type.Missing,
            Text("name"));
    }

    private static JsonObject Options<T>(string type, T options)
        => new() { [TypeKey] = type, [OptionsKey] = StageDescription.ToNode(options) };

    private static T Read<T>(JsonObject description, string type)
        => (description[OptionsKey] ?? throw Missing(type, OptionsKey)).Deserialize<T>(StageDescription.Json) ?? throw Missing(type, OptionsKey);

    private static ISegmentationLoss Inner(JsonObject description, string type)
        => Create(description["inner"] as JsonObject ?? throw Missing(type, "inner"));

    private static (ISegmentationLoss Loss, double Weight)[] Parts(JsonObject description)
    {
        JsonArray parts = description["parts"] as JsonArray ?? throw Missing(nameof(CombinedLoss), "parts");
        var result = new List<(ISegmentationLoss, double)>(parts.Count);
        foreach (JsonObject part in parts.OfType<JsonObject>())
        {
            double weight = (double?)part["weight"] ?? throw Missing(nameof(CombinedLoss), "weight");
            result.Add((Create(part["loss"] as JsonObject ?? throw Missing(nameof(CombinedLoss), "loss")), weight));
        }

        return result.ToArray();
    }

    private static InvalidDataException Missing(string type, string key) => new($"A saved {type} has no '{key}'.");
}
