using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Runs an ONNX segmentation model on each row's tensor and adds its scores <c>[K,H,W]</c> (logits or
/// probabilities, upsampled to the tensor's size when the model's output is smaller) as a variable-length Single vector.
/// Created by <see cref="SegmentationTransforms.ScoreOnnx(string, string, string, string, Onnx.OnnxSessionOptions?, System.Collections.Generic.IReadOnlyList{string}?)"/>.
/// </summary>
/// <remarks>
/// <para>The transformer owns an ONNX Runtime session: dispose it when done.</para>
/// <para>A cursor over its output reads <see cref="Onnx.OnnxSessionOptions.BatchSize"/> rows ahead on a background
/// thread and scores them in one run per tensor size (or in <see cref="Onnx.OnnxSessionOptions.ConcurrentRuns"/>
/// blocks at once, one thread each, over shares of the rows), while the consumer reads the previous block; a
/// <c>PredictionEngine</c> scores its single row. Results are identical either way.</para>
/// <para>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer). Dispose it only when no cursor or engine is in use.</para>
/// </remarks>
public sealed partial class OnnxScoringTransformer : SegmentationTransformerBase, IDisposable
{
    internal const string Kind = "ScoreOnnx";
    private readonly SegmentationModel _model;
    private readonly byte[] _modelBytes;
    private readonly OnnxSessionOptions _options;
    private readonly int _concurrentRuns;
    private readonly Tiling.TilingOptions? _tiling;
    private readonly BlockBufferPool<ScoringBuffers> _bufferPool = new(() => new ScoringBuffers());
    private readonly BlockBufferPool<RowBuffers> _rowBufferPool = new(() => new RowBuffers());

    /// <summary>Read-ahead buffer sets waiting in the pool (tests check that cursors give theirs back).</summary>
    internal int RetainedBufferSets => _bufferPool.RetainedCount;

    /// <summary>Row-by-row buffer sets (tiled or augmented rows, BatchSize 1, engines) waiting in their pool.</summary>
    internal int RetainedRowBufferSets => _rowBufferPool.RetainedCount;

    internal OnnxScoringTransformer(string outputColumnName, string inputColumnName, string geometryColumnName, byte[] modelBytes, string modelName, OnnxSessionOptions options, IReadOnlyList<string>? maskClassNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, 1024, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.ConcurrentRuns, "options.ConcurrentRuns");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ConcurrentRuns, 64, "options.ConcurrentRuns");
        _modelBytes = modelBytes;
        _options = options;
        OnnxSessionOptions loading = options.Clone();
        loading.ScoresBlocks = true;
        _model = SegmentationModel.Load(modelBytes, loading, modelName);
        _concurrentRuns = loading.ResolveConcurrentRuns(_model.ExecutionProvider);
        if (_model.OutputKind == SegmentationOutputKind.Mask && (maskClassNames is null || maskClassNames.Count < 2))
        {
            _model.Dispose();
            throw new ArgumentException(
                $"The model '{modelName}' outputs an integer mask ({_model.OutputLayout}); pass its class names (maskClassNames) so the mask column knows its classes.", nameof(maskClassNames));
        }

        bool probabilities = _model.OutputKind == SegmentationOutputKind.Probabilities;
        if (options.Tiling is not null || options.TestTimeAugmentation is not null)
        {
            try
            {
                // Checks the options and the model's output now, not at the first row.
                probabilities = new TiledInference(_model, options.Tiling, options.TestTimeAugmentation).ScoresAreProbabilities;
                _tiling = options.Tiling?.Clone() ?? new Tiling.TilingOptions();
            }
            catch
            {
                _model.Dispose();
                throw;
            }
        }

        MaskClassNames = _model.OutputKind == SegmentationOutputKind.Mask ? maskClassNames!.ToArray() : null;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        GeometryColumnName = geometryColumnName;
        AddedColumns = new[]
        {
            MaskClassNames is null
                ? new SegmentationColumn(outputColumnName, ColumnTypes.Tensor, ColumnTypes.ScoreKind(probabilities))
                : new SegmentationColumn(outputColumnName, ColumnTypes.Mask(MaskClassNames.Count), ColumnTypes.ClassNames(MaskClassNames)),
        };
        InputColumns = new[]
        {
            InputColumn.FloatVector(inputColumnName, nameof(inputColumnName)),
            InputColumn.Geometry(geometryColumnName, nameof(geometryColumnName)),
        };
    }

    /// <summary>The scores column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The tensor column the model reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The geometry column giving each tensor's height and width.</summary>
    public string GeometryColumnName { get; }

    /// <summary>For a model whose output is an integer mask, the class names of the key-typed mask column it adds; otherwise <see langword="null"/> (it adds float scores).</summary>
    public IReadOnlyList<string>? MaskClassNames { get; }

    /// <summary>The model.</summary>
    public SegmentationModel Model => _model;

    /// <summary>The execution provider the model runs on, after any fallback (<see cref="SegmentationModel.ExecutionProviderAttempts"/> tells why).</summary>
    public OnnxExecutionProvider ExecutionProvider => _model.ExecutionProvider;

    internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    // A tiled model batches windows within an image, not images: rows are then scored one by one.
    // With concurrent runs, the BatchSize rows in flight are shared among them as blocks of their own, so the first
    // rows come out as soon as before.
    internal override int ReadAheadBlockSize => ReadsAhead ? (_options.BatchSize + _concurrentRuns - 1) / _concurrentRuns : 1;

    // Concurrent runs are whole blocks in flight at once, one per thread: a block split among threads waited for its
    // slowest run, and the next block's rows (a lazy upstream mask decode included) were read only after it.
    internal override int ReadAheadProducers => ReadsAhead ? _concurrentRuns : 1;

    // BatchSize 1 scores each row on the consumer's thread when it is read.
    private bool ReadsAhead => _tiling is null && _options.BatchSize > 1;

    internal override BlockComputation ComputeBlock(DataViewRow input, int capacity) => new ScoringBlock(this, input, capacity);

    internal override IReadOnlyList<InputColumn> InputColumns { get; }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _model.Dispose();

    internal static OnnxScoringTransformer Create(StageDescription stage, MLContext context)
    {
        OnnxSessionOptions options = stage.Read<OnnxSessionOptions>("options");
        options.Log = SegmentationTransforms.LogTo(context, options.Log);
        return new OnnxScoringTransformer(stage.Read<string>("output"), stage.Read<string>("input"), stage.Read<string>("geometry"),
            stage.Payload ?? throw new System.IO.InvalidDataException("The saved ScoreOnnx stage has no model."), stage.Read<string>("modelName"), options, stage.ReadOrDefault<string[]>("maskClassNames"));
    }

    internal override StageDescription Describe()
    {
        JsonObject settings = StageDescription.Columns(("output", OutputColumnName), ("input", InputColumnName), ("geometry", GeometryColumnName), ("modelName", _model.ModelName));
        settings["options"] = StageDescription.ToNode(_options);
        settings["maskClassNames"] = StageDescription.ToNode(MaskClassNames);
        return new StageDescription(Kind, settings, _modelBytes);
    }

    private protected override RowComputation CreateComputation(DataViewRow input) => new Computation(this, input);

    /// <summary>
    /// What a row-by-row computation keeps from row to row: the input tensor, the scores, the labels and the tiler (with
    /// its band and window buffers). Kept by the transformer between cursors, as the read-ahead blocks' buffers are: a
    /// cursor opened per large image otherwise allocated them again each time, and on a large heap the fresh pages cost
    /// more than the blend (2048×1536, 5 classes, with 1 GB of other data live: 1.1 s a pass against the 0.45 s of
    /// TiledMaskPredictor on the same image, page clearing 12 % of the profile).
    /// </summary>
    private sealed class RowBuffers
    {
        public VBuffer<float> Input;
        public VBuffer<int> Geometry;
        public float[] Scores = Array.Empty<float>();
        public int[] Labels = Array.Empty<int>();
        public TiledInference? Tiler;
    }

    private sealed class Computation : RowComputation
    {
        private readonly OnnxScoringTransformer _owner;
        private readonly ValueGetter<VBuffer<float>> _tensor;
        private readonly ValueGetter<VBuffer<int>> _geometry;
        private readonly RowBuffers _buffers;
        private bool _returned;
        private int _length;

        public Computation(OnnxScoringTransformer owner, DataViewRow input)
            : base(input)
        {
            _owner = owner;
            _tensor = input.GetGetter<VBuffer<float>>(input.Schema[owner.InputColumnName]);
            _geometry = input.GetGetter<VBuffer<int>>(input.Schema[owner.GeometryColumnName]);
            _buffers = owner._rowBufferPool.Rent();
        }

        public override void Dispose()
        {
            // Once only: a set returned twice would be rented by two computations at once.
            if (!_returned)
            {
                _returned = true;
                _owner._rowBufferPool.Return(_buffers);
            }
        }

        public override Delegate GetGetter(int outputIndex) => _owner.MaskClassNames is { } names
            ? (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
            {
                EnsureComputed();
                ColumnTypes.PredictionsToKeys(_buffers.Labels.AsSpan(0, _length), names.Count, _owner.OutputColumnName, ref value);
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EnsureComputed();
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, _length);
                _buffers.Scores.AsSpan(0, _length).CopyTo(editor.Values);
                value = editor.Commit();
            });

        protected override void Compute()
        {
            RowBuffers buffers = _buffers;
            _tensor(ref buffers.Input);
            _geometry(ref buffers.Geometry);
            Imaging.ImageGeometry geometry = ColumnTypes.ToGeometry(buffers.Geometry);
            int height = geometry.OutputHeight, width = geometry.OutputWidth;
            ReadOnlySpan<float> tensor = buffers.Input.GetValues();
            if (!buffers.Input.IsDense || tensor.Length != _owner._model.InputChannels * height * width)
            {
                throw new InvalidOperationException(
                    $"Column '{_owner.InputColumnName}' holds {buffers.Input.Length} values; the model '{_owner._model.ModelName}' needs {_owner._model.InputChannels}×{height}×{width} for this row's geometry.");
            }

            if (_owner.MaskClassNames is not null)
            {
                // Integer masks are never resized, so the label map has the output's size; the input's is an upper bound.
                if (buffers.Labels.Length < height * width)
                {
                    buffers.Labels = new int[height * width];
                }

                _length = _owner._model.RunMask(tensor, 1, height, width, buffers.Labels).ElementCount;
                return;
            }

            Losses.SegmentationShape shape = _owner._tiling is { } tiling
                ? Tiled(tiling, height, width)
                : _owner._model.Run(tensor, 1, height, width, ref buffers.Scores);
            _length = shape.ElementCount;
        }

        private Losses.SegmentationShape Tiled(Tiling.TilingOptions tiling, int height, int width)
        {
            RowBuffers buffers = _buffers;
            buffers.Tiler ??= new TiledInference(_owner._model, tiling, _owner._options.TestTimeAugmentation) { WindowsDone = _owner._options.TilingProgress };

            // The tiler reads the windows straight from the input column's buffer (row by row per channel).
            int channels = _owner._model.InputChannels;
            return buffers.Tiler.ScoreRegions(
                (top, left, rows, columns, destination) => Tiling.PlanarRegion.Copy(buffers.Input.GetValues(), channels, height, width, top, left, rows, columns, destination),
                height,
                width,
                ref buffers.Scores);
        }
    }
}
