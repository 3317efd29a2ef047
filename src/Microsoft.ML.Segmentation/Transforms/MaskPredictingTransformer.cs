using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Turns scores into a predicted mask: argmax over classes, or for one-channel scores the foreground test against a
/// probability threshold (<see cref="Metrics.ForegroundThreshold"/>: compared with the logit of the threshold when the
/// scores are logits). The mask is a key vector like a loaded mask, at the tensor's size, or at
/// the original image's size (letterbox and padding removed) when asked.
/// Created by <see cref="SegmentationTransforms.PredictMasks"/>.
/// </summary>
/// <remarks>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer).</remarks>
public sealed class MaskPredictingTransformer : SegmentationTransformerBase
{
    internal const string Kind = "PredictMasks";
    private readonly float _threshold;
    private readonly bool _restoreOriginalSize;
    private readonly bool? _scoresAreProbabilities;
    private readonly BlockBufferPool<PredictionBuffers> _bufferPool = new(() => new PredictionBuffers());

    /// <summary>Read-ahead buffer sets waiting in the pool (tests check that cursors give theirs back).</summary>
    internal int RetainedBufferSets => _bufferPool.RetainedCount;

    internal MaskPredictingTransformer(string outputColumnName, string scoresColumnName, string geometryColumnName, IReadOnlyList<string> classNames, float threshold, bool restoreOriginalSize, string? confidenceColumnName = null, bool? scoresAreProbabilities = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        Metrics.ForegroundThreshold.Validate(threshold, nameof(threshold));
        if (classNames.Count < 2)
        {
            throw new ArgumentException("Give the names of at least two classes (a binary model predicts background and foreground).", nameof(classNames));
        }

        _threshold = threshold;
        _restoreOriginalSize = restoreOriginalSize;
        _scoresAreProbabilities = scoresAreProbabilities;
        ConfidenceColumnName = confidenceColumnName;
        ClassNames = classNames.ToArray();
        OutputColumnName = outputColumnName;
        ScoresColumnName = scoresColumnName;
        GeometryColumnName = geometryColumnName;
        var added = new List<SegmentationColumn> { new(outputColumnName, ColumnTypes.Mask(ClassNames.Count), ColumnTypes.ClassNames(ClassNames)) };
        if (confidenceColumnName is not null)
        {
            added.Add(new SegmentationColumn(confidenceColumnName, ColumnTypes.Tensor));
        }

        AddedColumns = added;
        InputColumns = new[]
        {
            InputColumn.FloatVector(scoresColumnName, nameof(scoresColumnName)),
            InputColumn.Geometry(geometryColumnName, nameof(geometryColumnName)),
        };
    }

    /// <summary>The predicted mask column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The scores column.</summary>
    public string ScoresColumnName { get; }

    /// <summary>The geometry column.</summary>
    public string GeometryColumnName { get; }

    /// <summary>The per-pixel confidence column (the winning class's probability), or <see langword="null"/>.</summary>
    public string? ConfidenceColumnName { get; }

    /// <summary>The class names.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    internal override IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    internal override IReadOnlyList<InputColumn> InputColumns { get; }

    internal static MaskPredictingTransformer Create(StageDescription stage)
        => new(stage.Read<string>("output"), stage.Read<string>("scores"), stage.Read<string>("geometry"), stage.Read<string[]>("classNames"), stage.Read<float>("threshold"), stage.Read<bool>("restoreOriginalSize"),
            stage.ReadOrDefault<string>("confidence"), stage.ReadOrDefault<bool?>("scoresAreProbabilities"));

    internal override StageDescription Describe()
    {
        JsonObject settings = StageDescription.Columns(("output", OutputColumnName), ("scores", ScoresColumnName), ("geometry", GeometryColumnName), ("confidence", ConfidenceColumnName));
        settings["scoresAreProbabilities"] = _scoresAreProbabilities;
        settings["classNames"] = StageDescription.ToNode(ClassNames);
        settings["threshold"] = _threshold;
        settings["restoreOriginalSize"] = _restoreOriginalSize;
        return new StageDescription(Kind, settings);
    }

    private protected override RowComputation CreateComputation(DataViewRow input) => new Computation(this, input);

    private sealed class Computation : RowComputation
    {
        private readonly MaskPredictingTransformer _owner;
        private readonly ValueGetter<VBuffer<float>> _scores;
        private readonly ValueGetter<VBuffer<int>> _geometry;
        private readonly PredictionBuffers _buffers;
        private VBuffer<int> _geometryValue;
        private int[] _labels = Array.Empty<int>();
        private int _labelCount;
        private float[] _confidence = Array.Empty<float>();
        private readonly bool? _probabilities;

        public Computation(MaskPredictingTransformer owner, DataViewRow input)
            : base(input)
        {
            _owner = owner;
            _probabilities = ResolveScoreKind(owner, input.Schema[owner.ScoresColumnName]);
            _buffers = owner._bufferPool.Rent();
            _scores = input.GetGetter<VBuffer<float>>(input.Schema[owner.ScoresColumnName]);
            _geometry = input.GetGetter<VBuffer<int>>(input.Schema[owner.GeometryColumnName]);
        }

        // A cursor opened per request would otherwise allocate a scores-sized buffer each time.
        public override void Dispose() => _owner._bufferPool.Return(_buffers);

        public override Delegate GetGetter(int outputIndex) => outputIndex == 0
            ? (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
            {
                EnsureComputed();
                ColumnTypes.PredictionsToKeys(_labels.AsSpan(0, _labelCount), _owner.ClassNames.Count, _owner.OutputColumnName, ref value);
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EnsureComputed();
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, _confidence.Length);
                _confidence.CopyTo(editor.Values);
                value = editor.Commit();
            });

        protected override void Compute()
        {
            _scores(ref _buffers.Scores);
            _geometry(ref _geometryValue);
            ImageGeometry geometry = ColumnTypes.ToGeometry(_geometryValue);
            int pixels = geometry.OutputHeight * geometry.OutputWidth;
            ReadOnlySpan<float> scores = _buffers.Scores.GetValues();
            if (!_buffers.Scores.IsDense || pixels == 0 || scores.Length % pixels != 0)
            {
                throw new InvalidOperationException(
                    $"Column '{_owner.ScoresColumnName}' holds {_buffers.Scores.Length} values, not a whole number of {geometry.OutputHeight}×{geometry.OutputWidth} planes; score at the tensor's size (ScoreOnnx upsamples by default).");
            }

            int channels = scores.Length / pixels;
            CheckChannels(channels);
            // The argmax buffer is reused row after row; only a restore to the original size allocates.
            if (_buffers.Labels.Length < pixels)
            {
                _buffers.Labels = new int[pixels];
            }

            Span<int> labels = _buffers.Labels.AsSpan(0, pixels);
            bool probabilities = channels > 1 && _owner.ConfidenceColumnName is null ? false : RequireScoreKind();
            MaskPrediction.PredictLabels(scores, new Losses.SegmentationShape(1, channels, geometry.OutputHeight, geometry.OutputWidth), _owner._threshold, probabilities, labels);

            if (_owner._restoreOriginalSize)
            {
                _labels = MaskGeometry.Restore(labels.ToArray(), geometry);
                _labelCount = _labels.Length;
            }
            else
            {
                _labels = _buffers.Labels;
                _labelCount = pixels;
            }
            if (_owner.ConfidenceColumnName is not null)
            {
                float[] confidence = Confidence(scores, channels, pixels, probabilities);
                if (_owner._restoreOriginalSize)
                {
                    // The restore's nearest-neighbour mapping, applied to pixel indices, says where each value comes from.
                    int[] source = MaskGeometry.Restore(Enumerable.Range(0, pixels).ToArray(), geometry);
                    confidence = source.Select(i => (uint)i < (uint)pixels ? confidence[i] : 0f).ToArray();
                }

                _confidence = confidence;
            }
        }

        /// <summary>
        /// Whether the scores are probabilities: as PredictMasks was told, else as the scores column's
        /// <see cref="ColumnTypes.ScoreKindAnnotation"/> says (ScoreOnnx and trained heads set it); both given and
        /// different is an error, since one of them would threshold or read confidence on the wrong scale.
        /// </summary>
        private static bool? ResolveScoreKind(MaskPredictingTransformer owner, DataViewSchema.Column scores)
        {
            bool? annotated = ColumnTypes.ScoreKindOf(scores);
            if (owner._scoresAreProbabilities is bool told && annotated is bool said && told != said)
            {
                throw new InvalidOperationException(
                    $"PredictMasks was told scoresAreProbabilities: {told}, but column '{owner.ScoresColumnName}' holds {(said ? "probabilities" : "logits")} (as its scoring stage annotates it); leave scoresAreProbabilities unset.");
            }

            return owner._scoresAreProbabilities ?? annotated;
        }

        /// <summary>The score kind where it matters (a one-channel threshold, a confidence); unknown there is an error, never a guess.</summary>
        private bool RequireScoreKind() => _probabilities ?? throw new InvalidOperationException(
            $"Column '{_owner.ScoresColumnName}' does not say whether it holds logits or probabilities (ScoreOnnx and trained heads annotate it), and PredictMasks needs to know to threshold one channel or give a confidence; pass scoresAreProbabilities.");

        /// <summary>
        /// A score channel per class name (or one channel for two names, thresholded): with fewer names, the argmax of
        /// an unnamed class would have no key, and a metric over the mask would be wrong with no error.
        /// </summary>
        private void CheckChannels(int channels)
        {
            int names = _owner.ClassNames.Count;
            if (channels == 1 ? names != 2 : channels != names)
            {
                throw Evaluation.BadRows.MarkModelMismatch(new ArgumentException(
                    $"Column '{_owner.ScoresColumnName}' has {channels} score channel{(channels == 1 ? string.Empty : "s")} per pixel but PredictMasks was given {names} class names; "
                    + (channels == 1 ? "a one-channel model is binary: give two names (background, foreground)." : $"give PredictMasks (and LoadMasks) the model's {channels} class names, in channel order."),
                    "classNames"));
            }
        }

        /// <summary>The winning class's probability per pixel, as <see cref="MaskConfidence"/> defines it.</summary>
        private static float[] Confidence(ReadOnlySpan<float> scores, int channels, int pixels, bool probabilities)
        {
            var result = new float[pixels];
            MaskConfidence.Compute(scores, channels, pixels, probabilities, result);
            return result;
        }
    }

    /// <summary>The row buffers of a computation, pooled by the transformer across cursors.</summary>
    private sealed class PredictionBuffers
    {
        public VBuffer<float> Scores;
        public int[] Labels = Array.Empty<int>();
    }
}
