using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>SegML's entry point on an <see cref="MLContext"/>: <c>mlContext.Segmentation()</c>.</summary>
/// <remarks>Thread safety: like ML.NET's own catalogs and estimators, build and fit on one thread; the fitted
/// transformers are then safe to share. <c>Evaluate</c> uses its own cursor and evaluator, so concurrent evaluations of
/// shared data are safe.</remarks>
public sealed class SegmentationCatalog
{
    private readonly MLContext _context;

    internal SegmentationCatalog(MLContext context)
    {
        _context = context;
        Transforms = new SegmentationTransforms(context);
        Trainers = new SegmentationTrainers(context);
    }

    /// <summary>The context the catalog belongs to, for extensions in other SegML assemblies.</summary>
    internal MLContext Context => _context;

    /// <summary>Estimators that load images and masks, score ONNX models, compute losses and predict masks.</summary>
    public SegmentationTransforms Transforms { get; }

    /// <summary>Trainers of segmentation heads on frozen backbones.</summary>
    public SegmentationTrainers Trainers { get; }

    /// <summary>
    /// Pairs an images folder with a masks folder by file stem (case-insensitive, any image extension) and returns
    /// the pairs as data with columns Name, ImagePath and MaskPath, sorted by name.
    /// </summary>
    /// <param name="imagesFolder">The folder of images.</param>
    /// <param name="masksFolder">The folder of masks.</param>
    /// <param name="recursive">Look into sub-folders too (the relative folder is part of the name that must match). Default: <see langword="false"/>.</param>
    /// <returns>The data.</returns>
    /// <exception cref="System.IO.DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="ArgumentException">Files on one side have no partner, or a stem appears twice (the message lists them).</exception>
    public IDataView LoadFromFolders(string imagesFolder, string masksFolder, bool recursive = false)
        => LoadPairs(Data.ImageMaskPairs.FromFolders(imagesFolder, masksFolder, recursive));

    /// <summary>Reads image–mask pairs from a manifest (one <c>image,mask</c> pair per line, paths relative to the manifest) as data with columns Name, ImagePath and MaskPath.</summary>
    /// <param name="manifestPath">The manifest file (CSV or tab-separated; an optional header, # comments).</param>
    /// <returns>The data.</returns>
    /// <exception cref="System.IO.FileNotFoundException">The manifest does not exist.</exception>
    /// <exception cref="ArgumentException">A line is malformed or names files that do not exist (the message gives the line).</exception>
    public IDataView LoadFromManifest(string manifestPath)
        => LoadPairs(Data.ImageMaskPairs.FromManifest(manifestPath));

    /// <summary>
    /// Saves a fitted SegML pipeline (LoadImages, LoadMasks, ScoreOnnx, PredictMasks and ComputeLosses stages, and
    /// trained heads, saved as ScoreOnnx stages over their exported model) in SegML's own format: a zip with a
    /// versioned JSON manifest of every stage's columns and options (for ComputeLosses, each loss's type and options)
    /// and the ONNX models' exact bytes.
    /// </summary>
    /// <param name="model">A SegML transformer or a chain of them.</param>
    /// <param name="path">The file to write.</param>
    /// <remarks><c>mlContext.Model.Save</c> cannot write these stages: ML.NET's model writer is internal to its own assemblies.</remarks>
    /// <exception cref="NotSupportedException">The chain holds a stage SegML cannot save (an ML.NET transformer), or a loss it cannot describe (see <see cref="SegmentationModelSaveOptions.OmitLossStages"/>).</exception>
    public void SaveModel(ITransformer model, string path) => SaveModel(model, path, null);

    /// <summary>Saves a fitted SegML pipeline as <see cref="SaveModel(ITransformer, string)"/> does, with options (for example leaving the loss stages out).</summary>
    /// <param name="model">A SegML transformer or a chain of them.</param>
    /// <param name="path">The file to write; written only once the whole model is described.</param>
    /// <param name="options">How to save; <see langword="null"/> for the defaults.</param>
    /// <exception cref="NotSupportedException">The chain holds a stage SegML cannot save, or a loss it cannot describe while <see cref="SegmentationModelSaveOptions.OmitLossStages"/> is false.</exception>
    public void SaveModel(ITransformer model, string path, SegmentationModelSaveOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var buffer = new System.IO.MemoryStream();
        SegmentationModelArchive.Save(model, buffer, options);
        System.IO.File.WriteAllBytes(path, buffer.ToArray()); // written only once the whole model is described
    }

    /// <summary>Saves a fitted SegML pipeline to a stream (see <see cref="SaveModel(ITransformer, string)"/>).</summary>
    /// <param name="model">A SegML transformer or a chain of them.</param>
    /// <param name="stream">A writable stream; left open.</param>
    /// <exception cref="NotSupportedException">The chain holds a stage SegML cannot save.</exception>
    public void SaveModel(ITransformer model, System.IO.Stream stream) => SegmentationModelArchive.Save(model, stream);

    /// <summary>Saves a fitted SegML pipeline to a stream, with options (see <see cref="SaveModel(ITransformer, string, SegmentationModelSaveOptions)"/>).</summary>
    /// <param name="model">A SegML transformer or a chain of them.</param>
    /// <param name="stream">A writable stream; left open, and not written to when a stage cannot be saved.</param>
    /// <param name="options">How to save; <see langword="null"/> for the defaults.</param>
    /// <exception cref="NotSupportedException">The chain holds a stage SegML cannot save, or a loss it cannot describe while <see cref="SegmentationModelSaveOptions.OmitLossStages"/> is false.</exception>
    public void SaveModel(ITransformer model, System.IO.Stream stream, SegmentationModelSaveOptions? options)
        => SegmentationModelArchive.Save(model, stream, options);

    /// <summary>Loads a pipeline saved by <see cref="SaveModel(ITransformer, string)"/>; dispose its ONNX stages when done.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The pipeline, as a transformer chain.</returns>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="System.IO.InvalidDataException">The file is not a SegML model, or of a newer format version.</exception>
    public ITransformer LoadModel(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using System.IO.FileStream stream = System.IO.File.OpenRead(path);
        return SegmentationModelArchive.Load(stream, _context, path);
    }

    /// <summary>Loads a pipeline saved by <see cref="SaveModel(ITransformer, System.IO.Stream)"/>.</summary>
    /// <param name="stream">A readable, seekable stream; left open.</param>
    /// <returns>The pipeline, as a transformer chain.</returns>
    /// <exception cref="System.IO.InvalidDataException">The stream is not a SegML model.</exception>
    public ITransformer LoadModel(System.IO.Stream stream) => SegmentationModelArchive.Load(stream, _context, "stream");

    /// <summary>The pairs as data with columns Name, ImagePath and MaskPath, in the order given.</summary>
    internal IDataView LoadPairs(System.Collections.Generic.IReadOnlyList<Data.ImageMaskPair> pairs)
    {
        var rows = new ImageMaskRow[pairs.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new ImageMaskRow { Name = pairs[i].Name, ImagePath = pairs[i].ImagePath, MaskPath = pairs[i].MaskPath };
        }

        return _context.Data.LoadFromEnumerable(rows);
    }

    /// <summary>Evaluates predicted masks against ground-truth masks in one pass over <paramref name="data"/>.</summary>
    /// <param name="data">Data with both mask columns (key vectors of the same class count and size per row).</param>
    /// <param name="labelColumnName">The ground-truth mask column. Default: "Mask".</param>
    /// <param name="predictedColumnName">The predicted mask column. Default: "PredictedMask".</param>
    /// <param name="options">Reduction, absent-class policy and opt-in boundary metrics (<see cref="SegmentationEvaluatorOptions.BoundaryMetrics"/>, e.g. <see cref="Microsoft.ML.Segmentation.Metrics.BoundaryMetricOptions.Hd95"/>); class names default to the label column's KeyValues.</param>
    /// <param name="geometryColumnName">The geometry column giving each mask's height and width, needed for boundary metrics. Default: "ImageGeometry".</param>
    /// <param name="cancellation">Checked before each row; cancelling throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The metrics; under <see cref="BadRowPolicy.SkipAndRecord"/> they list the rows left out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not a key vector.</exception>
    /// <exception cref="ArgumentException">The predicted and label columns have different class counts.</exception>
    /// <exception cref="InvalidOperationException">A row's masks differ in size, or the data has no rows (or none that could be evaluated).</exception>
    /// <exception cref="IOException">Under <see cref="BadRowPolicy.FailFast"/> (the default): a row's image or mask is missing (or, as <see cref="InvalidDataException"/>, corrupt); the message names the file.</exception>
    public SegmentationMetrics Evaluate(IDataView data, string labelColumnName = "Mask", string predictedColumnName = "PredictedMask", SegmentationEvaluatorOptions? options = null, string geometryColumnName = "ImageGeometry", CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var evaluation = new DataViewEvaluation
        {
            LabelColumnName = labelColumnName,
            PredictedColumnName = predictedColumnName,
            GeometryColumnName = geometryColumnName,
            Options = options ?? new SegmentationEvaluatorOptions(),
        };
        SegmentationEvaluator evaluator = evaluation.CreateEvaluator(data.Schema);
        if (!evaluation.Run(data, evaluator, cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
        }

        if (evaluator.ImageCount == 0)
        {
            throw new InvalidOperationException(evaluator.SkippedImages.Count == 0
                ? "The data has no rows to evaluate."
                : $"No row could be evaluated: all {evaluator.SkippedImages.Count} were skipped; the first because {evaluator.SkippedImages[0].Reason}");
        }

        return evaluator.GetMetrics();
    }
}
