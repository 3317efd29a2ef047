using System;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The estimator of <see cref="SegmentationTrainers.TrainHead"/>: <see cref="Fit"/> trains a head on a frozen backbone
/// and returns a <see cref="SegmentationHeadTransformer"/>.
/// </summary>
/// <remarks>Thread safety: like ML.NET's own catalogs and estimators, build and fit on one thread; the fitted
/// transformers are then safe to share.</remarks>
public sealed class SegmentationHeadTrainer : IEstimator<SegmentationHeadTransformer>
{
    private readonly MLContext _context;
    private readonly FeatureBackbone _backbone;
    private readonly SegmentationHeadTrainerOptions _options;

    internal SegmentationHeadTrainer(MLContext context, FeatureBackbone backbone, SegmentationHeadTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Training, "options.Training");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ExtractionBatchSize, 1, "options.ExtractionBatchSize");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ExtractionBatchSize, 1024, "options.ExtractionBatchSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.FeatureCacheMemoryLimitBytes, "options.FeatureCacheMemoryLimitBytes");
        _context = context;
        _backbone = backbone;
        _options = options;
    }

    /// <summary>The options <c>Fit</c> reads (the caller's instance; null was replaced by fresh options).</summary>
    internal SegmentationHeadTrainerOptions Options => _options;

    /// <summary>
    /// Reads <paramref name="input"/> once (tensor, geometry and mask of every row), extracts the backbone's features,
    /// trains the head and exports backbone and head as one ONNX model that the returned transformer scores with.
    /// </summary>
    /// <param name="input">The training data.</param>
    /// <returns>The trained transformer; it owns an ONNX Runtime session, dispose it when done.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">A tensor's size is not a multiple of the backbone's <see cref="FeatureBackbone.SizeMultiple"/>, a mask does not match its tensor, the data is empty, or the training options do not fit.</exception>
    public SegmentationHeadTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (InputColumn column in Inputs())
        {
            column.Check(input.Schema);
        }

        DataViewSchema.Column mask = input.Schema[_options.MaskColumnName];
        int classes = checked((int)((KeyDataViewType)((VectorDataViewType)mask.Type).ItemType).Count);
        string[] classNames = ColumnTypes.ClassNamesOf(mask, classes);
        HeadTrainingOptions given = _options.Training;
        if (given.Classes is int k && k != classes)
        {
            throw new ArgumentException($"options.Training.Classes is {k}; the mask column '{_options.MaskColumnName}' has {classes} classes.", "options");
        }

        Action<string> log = SegmentationTransforms.LogTo(_context, null, "TrainHead");
        HeadTrainingData.Result data = HeadTrainingData.Read(input, _backbone, _options);
        HeadTrainingResult result;
        using (data.Features)
        {
            double seconds = data.ExtractionTime.TotalSeconds;
            log(string.Create(CultureInfo.InvariantCulture,
                $"Extracted backbone features of {data.Labels.Count} images in {seconds:F2} s ({data.Labels.Count / Math.Max(seconds, 1e-9):F1} images/s); {data.Features.SpilledCount} spilled to disk."));
            HeadTrainingOptions training = Copy(given, classes, report =>
            {
                log(Describe(report, given.Epochs));
                given.Progress?.Invoke(report);
            });
            result = HeadTrainer.Train(data.Features, data.Labels, training);
        }

        log($"Head training kept epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early)" : string.Empty)}.");
        var export = new SegmentationHeadTransformer.ExportSource(_backbone.GetModelBytes(), _backbone.InputName, _backbone.Features);
        byte[] model = SegmentationHeadExport.ToOnnx(export.BackboneModel, export.InputName, export.Features, result.Head, argMax: false);
        OnnxScoringTransformer scorer = new SegmentationTransforms(_context).ScoreOnnx(
            model, _options.ScoresColumnName, _options.ImageColumnName, _options.GeometryColumnName, _options.ScoringOptions, "segmentation-head").Transformer;
        return new SegmentationHeadTransformer(scorer, result, export, classNames);
    }

    /// <summary>The schema after the transformer: the input's columns and the scores column.</summary>
    /// <param name="inputSchema">The input's schema shape.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (InputColumn column in Inputs())
        {
            column.Check(inputSchema);
        }

        return SchemaShapes.Extend(inputSchema, [new SegmentationColumn(_options.ScoresColumnName, ColumnTypes.Tensor)]);
    }

    private InputColumn[] Inputs() =>
    [
        InputColumn.FloatVector(_options.ImageColumnName, "options.ImageColumnName"),
        InputColumn.Geometry(_options.GeometryColumnName, "options.GeometryColumnName"),
        InputColumn.KeyVector(_options.MaskColumnName, "options.MaskColumnName"),
    ];

    private static string Describe(HeadEpochReport report, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"Epoch {report.Epoch}/{epochs}: loss {report.TrainLoss:F4}, validation mIoU {(double.IsNaN(report.ValidationMeanIou) ? "n/a" : report.ValidationMeanIou.ToString("F4", CultureInfo.InvariantCulture))}, lr {report.LearningRate:G3}, {report.Elapsed.TotalSeconds:F2} s{(report.IsBest ? " (best)" : string.Empty)}");

    // The caller's options stay untouched: the class count comes from the mask column and progress also goes to the log.
    private static HeadTrainingOptions Copy(HeadTrainingOptions o, int classes, Action<HeadEpochReport> progress)
    {
        HeadTrainingOptions copy = o.Clone();
        copy.Classes = classes;
        copy.Progress = progress;
        return copy;
    }
}
