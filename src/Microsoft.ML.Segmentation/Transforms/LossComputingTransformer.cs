using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Adds one Single column per loss: each image's loss between its scores and its mask (ignored pixels excluded),
/// computed with the loss's own options. Created by <see cref="SegmentationTransforms.ComputeLosses"/>.
/// </summary>
/// <remarks>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer).</remarks>
public sealed class LossComputingTransformer : SegmentationTransformerBase
{
    internal const string Kind = "ComputeLosses";

    private readonly (string Column, ISegmentationLoss Loss)[] _losses;

    internal LossComputingTransformer(IReadOnlyDictionary<string, ISegmentationLoss> losses, string scoresColumnName, string maskColumnName, string geometryColumnName)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count == 0)
        {
            throw new ArgumentException("Give at least one loss, for example { [\"Dice\"] = new DiceLoss() }.", nameof(losses));
        }

        _losses = losses.Select(pair => (pair.Key, pair.Value ?? throw new ArgumentException($"The loss for column '{pair.Key}' is null.", nameof(losses)))).ToArray();
        ScoresColumnName = scoresColumnName;
        MaskColumnName = maskColumnName;
        GeometryColumnName = geometryColumnName;
        AddedColumns = _losses.Select(l => new SegmentationColumn(l.Column, NumberDataViewType.Single)).ToArray();
        InputColumns = new[]
        {
            InputColumn.FloatVector(scoresColumnName, nameof(scoresColumnName)),
            InputColumn.KeyVector(maskColumnName, nameof(maskColumnName)),
            InputColumn.Geometry(geometryColumnName, nameof(geometryColumnName)),
        };
    }

    /// <summary>The scores column (logits or probabilities, as each loss's options expect).</summary>
    public string ScoresColumnName { get; }

    /// <summary>The mask column.</summary>
    public string MaskColumnName { get; }

    /// <summary>The geometry column.</summary>
    public string GeometryColumnName { get; }

    internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    internal override IReadOnlyList<InputColumn> InputColumns { get; }

    /// <summary>The loss columns this stage adds, in order.</summary>
    internal IEnumerable<string> LossColumnNames => _losses.Select(l => l.Column);

    /// <summary>Each loss column and the loss computing it, in order.</summary>
    internal IReadOnlyList<(string Column, ISegmentationLoss Loss)> Losses => _losses;

    /// <summary>Rebuilds a saved stage: the columns and each loss from its type and options (<see cref="SavedLoss"/>).</summary>
    internal static LossComputingTransformer Create(StageDescription stage)
    {
        var losses = new Dictionary<string, ISegmentationLoss>(StringComparer.Ordinal);
        foreach (JsonObject entry in (stage.Settings["losses"] as JsonArray ?? throw new InvalidDataException($"The saved '{Kind}' stage has no 'losses'.")).OfType<JsonObject>())
        {
            string column = (string?)entry["column"] ?? throw new InvalidDataException($"A loss of the saved '{Kind}' stage has no 'column'.");
            JsonObject description = entry["loss"] as JsonObject ?? throw new InvalidDataException($"The loss of column '{column}' in the saved '{Kind}' stage has no description.");
            try
            {
                losses.Add(column, SavedLoss.Create(description));
            }
            catch (Exception e) when (e is ArgumentException or JsonException or NotSupportedException or InvalidOperationException)
            {
                // Options out of range, a preset that refuses its arguments, JSON of the wrong shape: the file is bad data.
                throw new InvalidDataException($"The loss of column '{column}' in the saved '{Kind}' stage cannot be built: {e.Message}", e);
            }
        }

        return new LossComputingTransformer(losses, stage.Read<string>("scores"), stage.Read<string>("mask"), stage.Read<string>("geometry"));
    }

    /// <summary>The columns and every loss with its options; throws <see cref="NotSupportedException"/> for a loss SegML cannot describe.</summary>
    internal override StageDescription Describe()
    {
        JsonObject settings = StageDescription.Columns(("scores", ScoresColumnName), ("mask", MaskColumnName), ("geometry", GeometryColumnName));
        settings["losses"] = new JsonArray(_losses.Select(l => (JsonNode)new JsonObject { ["column"] = l.Column, ["loss"] = SavedLoss.Describe(l.Loss, l.Column) }).ToArray());
        return new StageDescription(Kind, settings);
    }

    private protected override RowComputation CreateComputation(DataViewRow input) => new Computation(this, input);

    private sealed class Computation : RowComputation
    {
        private const int Ignore = -1;
        private readonly LossComputingTransformer _owner;
        private readonly ValueGetter<VBuffer<float>> _scores;
        private readonly ValueGetter<VBuffer<uint>> _mask;
        private readonly ValueGetter<VBuffer<int>> _geometry;
        private readonly float[] _values;
        private VBuffer<float> _scoresValue;
        private VBuffer<uint> _maskValue;
        private VBuffer<int> _geometryValue;
        private int[] _labels = []; // kept between rows: a 2048×1536 mask is 12 MB that fresh pages would fault in

        public Computation(LossComputingTransformer owner, DataViewRow input)
            : base(input)
        {
            _owner = owner;
            _scores = input.GetGetter<VBuffer<float>>(input.Schema[owner.ScoresColumnName]);
            _mask = input.GetGetter<VBuffer<uint>>(input.Schema[owner.MaskColumnName]);
            _geometry = input.GetGetter<VBuffer<int>>(input.Schema[owner.GeometryColumnName]);
            _values = new float[owner._losses.Length];
        }

        public override Delegate GetGetter(int outputIndex)
            => (ValueGetter<float>)((ref float value) =>
            {
                EnsureComputed();
                value = _values[outputIndex];
            });

        protected override void Compute()
        {
            _scores(ref _scoresValue);
            _mask(ref _maskValue);
            _geometry(ref _geometryValue);
            Imaging.ImageGeometry geometry = ColumnTypes.ToGeometry(_geometryValue);
            int pixels = geometry.OutputHeight * geometry.OutputWidth;
            if (_maskValue.Length != pixels || !_scoresValue.IsDense || _scoresValue.Length % pixels != 0)
            {
                throw new InvalidOperationException(
                    $"Row {Input.Position}: mask '{_owner.MaskColumnName}' has {_maskValue.Length} pixels and scores '{_owner.ScoresColumnName}' {_scoresValue.Length} values for a {geometry.OutputWidth}×{geometry.OutputHeight} tensor; load the mask with the image's geometry.");
            }

            if (_labels.Length < pixels)
            {
                _labels = new int[pixels];
            }

            Span<int> labels = _labels.AsSpan(0, pixels);
            ColumnTypes.KeysToLabels(_maskValue, Ignore, labels);
            var shape = new SegmentationShape(1, _scoresValue.Length / pixels, geometry.OutputHeight, geometry.OutputWidth);
            for (int i = 0; i < _owner._losses.Length; i++)
            {
                _values[i] = (float)_owner._losses[i].Loss.Compute<float>(_scoresValue.GetValues(), shape, SegmentationTarget<float>.FromLabels(labels, Ignore));
            }
        }
    }
}
