using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// A trained segmentation head on its backbone, as a transformer: it adds the scores column <c>[K,H,W]</c> (logits at
/// the tensor's size) computed by backbone and head exported as one ONNX model, exactly as
/// <see cref="SegmentationTransforms.ScoreOnnx(byte[], string, string, string, Onnx.OnnxSessionOptions?, string, IReadOnlyList{string}?)"/>
/// would with that model: on any execution provider, in pipelines, <c>PredictionEngine</c> and
/// <see cref="SegmentationCatalog.Evaluate"/>.
/// </summary>
/// <remarks>
/// <see cref="SegmentationCatalog.SaveModel(ITransformer, string)"/> saves it as a ScoreOnnx stage holding the exported
/// model, so <see cref="SegmentationCatalog.LoadModel(string)"/> gives back an <see cref="OnnxScoringTransformer"/> with
/// the same scores; save <see cref="Head"/> alone with <see cref="SegmentationHead.Save"/>. Owns an ONNX Runtime session:
/// dispose it when done.
/// <para>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer). Dispose it only when no cursor or engine is in use; its <see cref="Head"/> is not
/// thread-safe.</para>
/// </remarks>
public sealed class SegmentationHeadTransformer : SegmentationTransformerBase, IDisposable
{
    private readonly OnnxScoringTransformer _scorer;
    private readonly ExportSource _export;

    internal SegmentationHeadTransformer(OnnxScoringTransformer scorer, HeadTrainingResult result, ExportSource export, IReadOnlyList<string> classNames)
    {
        _scorer = scorer;
        _export = export;
        Head = result.Head;
        History = result.History;
        BestEpoch = result.BestEpoch;
        StoppedEarly = result.StoppedEarly;
        ClassWeights = result.ClassWeights;
        ClassNames = classNames;
    }

    /// <summary>The trained head (the best epoch's parameters).</summary>
    public SegmentationHead Head { get; }

    /// <summary>One report per epoch run.</summary>
    public IReadOnlyList<HeadEpochReport> History { get; }

    /// <summary>The epoch (1-based) whose parameters <see cref="Head"/> holds.</summary>
    public int BestEpoch { get; }

    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary>The class weights given to the loss, or <see langword="null"/>.</summary>
    public IReadOnlyList<double>? ClassWeights { get; }

    /// <summary>The class names, from the mask column's KeyValues, in class order (the scores' channels).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The scoring stage over the exported model (its session, execution provider and columns).</summary>
    public OnnxScoringTransformer Scorer => _scorer;

    internal override IReadOnlyList<SegmentationColumn> AddedColumns => _scorer.AddedColumns;

    internal override IReadOnlyList<InputColumn> InputColumns => _scorer.InputColumns;

    internal override int ReadAheadBlockSize => _scorer.ReadAheadBlockSize;

    internal override int ReadAheadProducers => _scorer.ReadAheadProducers;

    /// <summary>Backbone and head as one ONNX model; see <see cref="SegmentationHeadExport"/>.</summary>
    /// <param name="argMax">Output the argmax mask <c>[N,H,W]</c> int64 instead of the scores. Default: <see langword="false"/>.</param>
    /// <returns>The serialized model.</returns>
    public byte[] ExportOnnx(bool argMax = false) =>
        SegmentationHeadExport.ToOnnx(_export.BackboneModel, _export.InputName, _export.Features, Head, argMax);

    /// <summary>Writes backbone and head as one ONNX model to a file; see <see cref="SegmentationHeadExport"/>.</summary>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <param name="argMax">Output the argmax mask instead of the scores. Default: <see langword="false"/>.</param>
    public void ExportOnnx(string path, bool argMax = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ExportOnnx(argMax));
    }

    /// <summary>Writes backbone and head as one ONNX model to a stream; see <see cref="SegmentationHeadExport"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="argMax">Output the argmax mask instead of the scores. Default: <see langword="false"/>.</param>
    public void ExportOnnx(Stream stream, bool argMax = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ExportOnnx(argMax));
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _scorer.Dispose();

    internal override BlockComputation ComputeBlock(DataViewRow input, int capacity) => _scorer.ComputeBlock(input, capacity);

    internal override StageDescription Describe() => _scorer.Describe();

    private protected override RowComputation CreateComputation(DataViewRow input) => _scorer.Compute(input);

    /// <summary>What the export appends the head to: the backbone's edited graph, its input and its features.</summary>
    internal sealed record ExportSource(byte[] BackboneModel, string InputName, IReadOnlyList<FeatureMapInfo> Features);
}
