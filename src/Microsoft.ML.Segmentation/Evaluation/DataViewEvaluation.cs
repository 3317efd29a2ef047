using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Evaluation;

/// <summary>
/// The one evaluation loop of SegML: reads the label and predicted mask columns row by row (through the pipeline's
/// read-ahead and batching), applies the bad-row policy, and adds each row to a <see cref="SegmentationEvaluator"/>.
/// <c>SegmentationCatalog.Evaluate</c> and <c>segml eval</c> both run it, so a fix to it reaches both.
/// </summary>
/// <remarks>Thread safety: one run per instance at a time.</remarks>
internal sealed class DataViewEvaluation
{
    /// <summary>The label value of an ignored pixel (a key 0) in <see cref="EvaluatedRow.Truth"/>.</summary>
    public const int Ignore = -1;

    /// <summary>The ground-truth mask column.</summary>
    public required string LabelColumnName { get; init; }

    /// <summary>The predicted mask column.</summary>
    public required string PredictedColumnName { get; init; }

    /// <summary>The geometry column, read when boundary metrics are on or <see cref="ReadGeometry"/> is set.</summary>
    public required string GeometryColumnName { get; init; }

    /// <summary>Reduction, absent-class policy, boundary metrics and bad-row policy; class names default to the label column's KeyValues.</summary>
    public required SegmentationEvaluatorOptions Options { get; init; }

    /// <summary>Read each row's height and width even without boundary metrics (for <see cref="OnRow"/>).</summary>
    public bool ReadGeometry { get; init; }

    /// <summary>Single columns (per-image losses) handed to <see cref="OnRow"/>.</summary>
    public IReadOnlyList<string> LossColumnNames { get; init; } = [];

    /// <summary>Added to a row's position in <see cref="SkippedImage.RowIndex"/> (a shard's first row in the whole dataset).</summary>
    public long RowOffset { get; init; }

    /// <summary>The reason recorded for a skipped row. Default: the exception's message.</summary>
    public Func<Exception, string> DescribeFailure { get; init; } = e => e.Message;

    /// <summary>Called before each row is read, with its position and name (progress).</summary>
    public Action<long, string?>? OnRowStart { get; init; }

    /// <summary>Called after each row is added to the evaluator.</summary>
    public Action<EvaluatedRow>? OnRow { get; init; }

    /// <summary>Called after a bad row is recorded as skipped.</summary>
    public Action<SkippedImage>? OnSkipped { get; init; }

    /// <summary>Checks that the columns exist with the right types and class counts, and builds the evaluator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not a key vector.</exception>
    /// <exception cref="ArgumentException">The predicted and label columns have different class counts.</exception>
    public SegmentationEvaluator CreateEvaluator(DataViewSchema schema)
    {
        InputColumn.KeyVector(LabelColumnName, "labelColumnName").Check(schema);
        InputColumn.KeyVector(PredictedColumnName, "predictedColumnName").Check(schema);
        DataViewSchema.Column label = schema[LabelColumnName];
        int classes = ClassCount(label);
        int predictedClasses = ClassCount(schema[PredictedColumnName]);
        if (predictedClasses != classes)
        {
            throw new ArgumentException(
                $"'{PredictedColumnName}' has {predictedClasses} classes but '{LabelColumnName}' has {classes}; give PredictMasks (or ScoreOnnx's maskClassNames) and LoadMasks the same class names, one per model output channel.",
                "predictedColumnName");
        }

        if (Options.BoundaryMetrics is not null || ReadGeometry)
        {
            InputColumn.Geometry(GeometryColumnName, "geometryColumnName").Check(schema);
        }

        if (Options.Calibration is { } calibration)
        {
            InputColumn.FloatVector(calibration.ScoresColumnName, "options.Calibration.ScoresColumnName").Check(schema);
            _ = ScoresAreProbabilities(schema);
        }

        SegmentationEvaluatorOptions options = Options.Clone();
        options.ClassNames ??= ColumnTypes.ClassNamesOf(label, classes);
        options.IgnoreIndex = Ignore;
        return new SegmentationEvaluator(classes, options);
    }

    /// <summary>
    /// Evaluates every row of <paramref name="data"/> into <paramref name="evaluator"/> (from <see cref="CreateEvaluator"/>).
    /// </summary>
    /// <returns><see langword="true"/> when every row was read; <see langword="false"/> when <paramref name="cancellation"/> stopped it first (the evaluator then holds the rows done).</returns>
    /// <exception cref="InvalidOperationException">A row's masks differ in size, or a prediction holds a missing key.</exception>
    public bool Run(IDataView data, SegmentationEvaluator evaluator, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataViewSchema schema = data.Schema;
        bool skip = Options.OnBadRow == BadRowPolicy.SkipAndRecord;
        bool geometryNeeded = Options.BoundaryMetrics is not null || ReadGeometry;
        var columns = new List<DataViewSchema.Column> { schema[LabelColumnName], schema[PredictedColumnName] };
        string? scoresName = Options.Calibration?.ScoresColumnName;
        if (scoresName is not null && scoresName != PredictedColumnName)
        {
            columns.Add(schema[scoresName]);
        }

        bool scoresAreProbabilities = scoresName is not null && ScoresAreProbabilities(schema);
        var calibrationScores = new CalibrationScores();
        if (geometryNeeded)
        {
            columns.Add(schema[GeometryColumnName]);
        }

        DataViewSchema.Column[] lossColumns = LossColumnNames.Select(n => schema.GetColumnOrNull(n) ?? throw new ArgumentOutOfRangeException(nameof(LossColumnNames), n, $"The data has no loss column '{n}'.")).ToArray();
        columns.AddRange(lossColumns);

        // A row is named by its Name (or ImagePath) column when the data has one, as ImageMaskRow does.
        DataViewSchema.Column? nameColumn = new[] { "Name", "ImagePath" }.Select(n => schema.GetColumnOrNull(n))
            .FirstOrDefault(c => c is { Type: TextDataViewType });
        bool wantName = nameColumn is not null && (skip || OnRowStart is not null || OnRow is not null);
        if (wantName)
        {
            columns.Add(nameColumn!.Value);
        }

        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        ValueGetter<ReadOnlyMemory<char>>? getName = wantName ? cursor.GetGetter<ReadOnlyMemory<char>>(nameColumn!.Value) : null;
        ValueGetter<VBuffer<uint>> getLabel = cursor.GetGetter<VBuffer<uint>>(schema[LabelColumnName]);
        ValueGetter<VBuffer<uint>> getPredicted = cursor.GetGetter<VBuffer<uint>>(schema[PredictedColumnName]);
        ValueGetter<VBuffer<int>>? getGeometry = geometryNeeded ? cursor.GetGetter<VBuffer<int>>(schema[GeometryColumnName]) : null;
        ValueGetter<VBuffer<float>>? getScores = scoresName is null ? null : cursor.GetGetter<VBuffer<float>>(schema[scoresName]);
        VBuffer<float> scoresValue = default;
        ValueGetter<float>[] getLosses = lossColumns.Select(c => cursor.GetGetter<float>(c)).ToArray();
        var losses = new float[getLosses.Length];
        ReadOnlyMemory<char> nameValue = default;
        VBuffer<uint> labelValue = default, predictedValue = default;
        VBuffer<int> geometryValue = default;
        int[] truth = Array.Empty<int>(), prediction = Array.Empty<int>();
        while (true)
        {
            if (cancellation.IsCancellationRequested)
            {
                return false;
            }

            if (!cursor.MoveNext())
            {
                return true;
            }

            string? name = ReadName();
            OnRowStart?.Invoke(cursor.Position, name);
            if (!skip)
            {
                AddRow(name);
                continue;
            }

            try
            {
                AddRow(name);
            }
            catch (Exception e) when (BadRows.IsBadRow(e))
            {
                // The loaders and the model report a bad file at its own row's getters, so the cursor goes on.
                var skipped = new SkippedImage(RowOffset + cursor.Position, name, DescribeFailure(e));
                evaluator.Skip(skipped);
                OnSkipped?.Invoke(skipped);
            }
        }

        string? ReadName()
        {
            if (getName is null)
            {
                return null;
            }

            getName(ref nameValue);
            return nameValue.ToString();
        }

        void AddRow(string? name)
        {
            getLabel(ref labelValue);
            getPredicted(ref predictedValue);
            if (labelValue.Length != predictedValue.Length)
            {
                throw new InvalidOperationException(
                    $"Row {cursor.Position}: '{LabelColumnName}' has {labelValue.Length} pixels but '{PredictedColumnName}' has {predictedValue.Length}; predict at the masks' size (restoreOriginalSize: false) or load masks without the image geometry.");
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
                    $"Row {cursor.Position}: '{PredictedColumnName}' has a missing key (0) at pixel {missing}; a prediction must name a class for every pixel.");
            }

            for (int i = 0; i < getLosses.Length; i++)
            {
                getLosses[i](ref losses[i]);
            }

            int height = 0, width = 0;
            if (getGeometry is not null)
            {
                getGeometry(ref geometryValue);
                Imaging.ImageGeometry geometry = ColumnTypes.ToGeometry(geometryValue);
                (height, width) = truth.Length == geometry.OutputHeight * geometry.OutputWidth
                    ? (geometry.OutputHeight, geometry.OutputWidth)
                    : truth.Length == geometry.OriginalHeight * geometry.OriginalWidth
                        ? (geometry.OriginalHeight, geometry.OriginalWidth)
                        : throw new InvalidOperationException($"Row {cursor.Position}: the masks hold {truth.Length} pixels, neither the tensor's {geometry.OutputWidth}×{geometry.OutputHeight} nor the image's {geometry.OriginalWidth}×{geometry.OriginalHeight}.");
            }

            // Read and check the scores before anything is added, so a bad row leaves the evaluator as it was.
            ReadOnlySpan<float> probabilities = default;
            if (getScores is not null)
            {
                getScores(ref scoresValue);
                probabilities = calibrationScores.Probabilities(scoresValue.IsDense ? scoresValue.GetValues() : scoresValue.DenseValues().ToArray(), scoresAreProbabilities, evaluator.NumClasses, truth.Length, cursor.Position, scoresName!);
            }

            if (Options.BoundaryMetrics is not null)
            {
                evaluator.Add(prediction, truth, height, width);
            }
            else
            {
                evaluator.Add(prediction, truth);
            }

            if (getScores is not null)
            {
                evaluator.AddProbabilities(probabilities, truth);
            }

            OnRow?.Invoke(new EvaluatedRow(cursor.Position, name, truth, prediction, height, width, losses));
        }
    }

    /// <summary>Whether the calibration scores column holds probabilities (its ScoreKind annotation); unknown is an error, never a guess.</summary>
    private bool ScoresAreProbabilities(DataViewSchema schema)
    {
        string name = Options.Calibration!.ScoresColumnName;
        return ColumnTypes.ScoreKindOf(schema[name]) ?? throw new ArgumentException(
            $"Column '{name}' does not say whether it holds logits or probabilities (its ScoreKind annotation; ScoreOnnx and trained heads set it), and calibration needs probabilities.",
            "options.Calibration.ScoresColumnName");
    }

    private static int ClassCount(DataViewSchema.Column column)
        => checked((int)((KeyDataViewType)((VectorDataViewType)column.Type).ItemType).Count);
}
