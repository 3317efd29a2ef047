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
        => ToDataView(Data.ImageMaskPairs.FromFolders(imagesFolder, masksFolder, recursive));

    /// <summary>Reads image–mask pairs from a manifest (one <c>image,mask</c> pair per line, paths relative to the manifest) as data with columns Name, ImagePath and MaskPath.</summary>
    /// <param name="manifestPath">The manifest file (CSV or tab-separated; an optional header, # comments).</param>
    /// <returns>The data.</returns>
    /// <exception cref="System.IO.FileNotFoundException">The manifest does not exist.</exception>
    /// <exception cref="ArgumentException">A line is malformed or names files that do not exist (the message gives the line).</exception>
    public IDataView LoadFromManifest(string manifestPath)
        => ToDataView(Data.ImageMaskPairs.FromManifest(manifestPath));

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

    private IDataView ToDataView(System.Collections.Generic.IReadOnlyList<Data.ImageMaskPair> pairs)
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
    /// <param name="options">Reduction, absent-class policy and opt-in boundary metrics; class names default to the label column's KeyValues.</param>
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
        InputColumn.KeyVector(labelColumnName, nameof(labelColumnName)).Check(data.Schema);
        InputColumn.KeyVector(predictedColumnName, nameof(predictedColumnName)).Check(data.Schema);
        DataViewSchema.Column label = data.Schema[labelColumnName];
        DataViewSchema.Column predicted = data.Schema[predictedColumnName];
        int classes = checked((int)((KeyDataViewType)((VectorDataViewType)label.Type).ItemType).Count);
        int predictedClasses = checked((int)((KeyDataViewType)((VectorDataViewType)predicted.Type).ItemType).Count);
        if (predictedClasses != classes)
        {
            throw new ArgumentException(
                $"'{predictedColumnName}' has {predictedClasses} classes but '{labelColumnName}' has {classes}; give PredictMasks (or ScoreOnnx's maskClassNames) and LoadMasks the same class names, one per model output channel.",
                nameof(predictedColumnName));
        }

        options ??= new SegmentationEvaluatorOptions();
        const int Ignore = -1;
        var evaluator = new SegmentationEvaluator(classes, new SegmentationEvaluatorOptions
        {
            ClassNames = options.ClassNames ?? ColumnTypes.ClassNamesOf(label, classes),
            IgnoreIndex = Ignore,
            Reduction = options.Reduction,
            AbsentClass = options.AbsentClass,
            Absence = options.Absence,
            BoundaryMetrics = options.BoundaryMetrics,
            BoundaryPercentile = options.BoundaryPercentile,
            SurfaceTolerance = options.SurfaceTolerance,
            BoundaryWidth = options.BoundaryWidth,
            OnBadRow = options.OnBadRow,
        });
        var columns = new List<DataViewSchema.Column> { label, predicted };
        if (options.BoundaryMetrics)
        {
            InputColumn.Geometry(geometryColumnName, nameof(geometryColumnName)).Check(data.Schema);
            columns.Add(data.Schema[geometryColumnName]);
        }

        // A skipped row is named by its Name (or ImagePath) column when the data has one, as ImageMaskRow does.
        DataViewSchema.Column? nameColumn = new[] { "Name", "ImagePath" }.Select(n => data.Schema.GetColumnOrNull(n))
            .FirstOrDefault(c => c is { Type: TextDataViewType });
        if (options.OnBadRow == BadRowPolicy.SkipAndRecord && nameColumn is { } nameCol)
        {
            columns.Add(nameCol);
        }

        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        ValueGetter<ReadOnlyMemory<char>>? getName = options.OnBadRow == BadRowPolicy.SkipAndRecord && nameColumn is { } named ? cursor.GetGetter<ReadOnlyMemory<char>>(named) : null;
        ReadOnlyMemory<char> nameValue = default;
        ValueGetter<VBuffer<uint>> getLabel = cursor.GetGetter<VBuffer<uint>>(label);
        ValueGetter<VBuffer<uint>> getPredicted = cursor.GetGetter<VBuffer<uint>>(predicted);
        ValueGetter<VBuffer<int>>? getGeometry = options.BoundaryMetrics ? cursor.GetGetter<VBuffer<int>>(data.Schema[geometryColumnName]) : null;
        VBuffer<uint> labelValue = default, predictedValue = default;
        VBuffer<int> geometryValue = default;
        int[] truth = Array.Empty<int>(), prediction = Array.Empty<int>();
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            if (options.OnBadRow == BadRowPolicy.FailFast)
            {
                AddRow();
                continue;
            }

            try
            {
                AddRow();
            }
            catch (Exception e) when (IsBadRow(e))
            {
                // The loaders and the model report a bad file at its own row's getters, so the cursor goes on.
                string? name = null;
                if (getName is not null)
                {
                    getName(ref nameValue);
                    name = nameValue.ToString();
                }

                evaluator.Skip(new SkippedImage(cursor.Position, name, e.Message));
            }
        }

        if (evaluator.ImageCount == 0)
        {
            throw new InvalidOperationException(evaluator.SkippedImages.Count == 0
                ? "The data has no rows to evaluate."
                : $"No row could be evaluated: all {evaluator.SkippedImages.Count} were skipped; the first because {evaluator.SkippedImages[0].Reason}");
        }

        return evaluator.GetMetrics();

        void AddRow()
        {
            getLabel(ref labelValue);
            getPredicted(ref predictedValue);
            if (labelValue.Length != predictedValue.Length)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: '{labelColumnName}' has {labelValue.Length} pixels but '{predictedColumnName}' has {predictedValue.Length}; predict at the masks' size (restoreOriginalSize: false) or load masks without the image geometry.");
            }

            if (truth.Length != labelValue.Length)
            {
                truth = new int[labelValue.Length];
                prediction = new int[labelValue.Length];
            }

            ColumnTypes.KeysToLabels(labelValue, Ignore, truth);
            ColumnTypes.KeysToLabels(predictedValue, Ignore, prediction);
            if (prediction.AsSpan().IndexOf(Ignore) is int missing and >= 0)
            {
                // A predicted key 0 is ML.NET's missing value, never class 0: counting it as class 0 would inflate background.
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: '{predictedColumnName}' has a missing key (0) at pixel {missing}; a prediction must name a class for every pixel.");
            }
            if (getGeometry is null)
            {
                evaluator.Add(prediction, truth);
                return;
            }

            getGeometry(ref geometryValue);
            Imaging.ImageGeometry geometry = ColumnTypes.ToGeometry(geometryValue);
            (int height, int width) = truth.Length == geometry.OutputHeight * geometry.OutputWidth
                ? (geometry.OutputHeight, geometry.OutputWidth)
                : truth.Length == geometry.OriginalHeight * geometry.OriginalWidth
                    ? (geometry.OriginalHeight, geometry.OriginalWidth)
                    : throw new InvalidOperationException($"Row {cursor.Position}: the masks hold {truth.Length} pixels, neither the tensor's {geometry.OutputWidth}×{geometry.OutputHeight} nor the image's {geometry.OriginalWidth}×{geometry.OriginalHeight}.");
            evaluator.Add(prediction, truth, height, width);
        }
    }

    /// <summary>Whether <paramref name="e"/> is a fault of one row's data (a file missing, corrupt or unfit for the model), not of the program.</summary>
    private static bool IsBadRow(Exception e)
        => e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException;
}
