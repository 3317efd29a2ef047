using System;
using System.Collections.Generic;
using System.IO;

namespace Microsoft.ML.Segmentation.Export;

/// <summary>
/// What <see cref="SegmentationExportExtensions.ExportToOnnxPipeline"/> gives: the exported ONNX model and a pipeline
/// of stock ML.NET stages that runs it. Fit the pipeline, save it with <c>mlContext.Model.Save</c>; loading it needs
/// ML.NET's ImageAnalytics and OnnxTransformer, not SegML.
/// </summary>
public sealed class SegmentationExport
{
    private readonly byte[] _model;

    internal SegmentationExport(byte[] model, IEstimator<ITransformer> pipeline, string pixelsColumnName, IReadOnlyList<string> outputColumnNames)
    {
        _model = model;
        Pipeline = pipeline;
        PixelsColumnName = pixelsColumnName;
        OutputColumnNames = outputColumnNames;
    }

    /// <summary>LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel, all stock ML.NET estimators.</summary>
    public IEstimator<ITransformer> Pipeline { get; }

    /// <summary>The column of raw pixels fed to the model: the model's image input name.</summary>
    public string PixelsColumnName { get; }

    /// <summary>
    /// The columns ApplyOnnxModel adds, named as the model's outputs: the mask (int64 or bytes, <c>[1,H,W]</c>) or the
    /// processed scores first, then the scores when they are kept beside the mask.
    /// </summary>
    public IReadOnlyList<string> OutputColumnNames { get; }

    /// <summary>The exported ONNX model: raw RGB pixels in, normalisation and post-processing in the graph, size fixed.</summary>
    /// <returns>A copy of the model's bytes.</returns>
    public byte[] GetOnnxModel() => (byte[])_model.Clone();

    /// <summary>Writes the exported ONNX model to a file, for use outside ML.NET.</summary>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public void SaveOnnxModel(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, _model);
    }
}
