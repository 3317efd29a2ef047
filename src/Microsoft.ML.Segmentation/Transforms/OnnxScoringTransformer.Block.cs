using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Transforms;

public sealed partial class OnnxScoringTransformer
{
    /// <summary>
    /// Scores a read-ahead block in as few runs as the sizes allow: rows are grouped by tensor size (first appearance
    /// order), each group runs in batches of at most the model's fixed batch size (one image per run when
    /// <see cref="OnnxSessionOptions.ConcurrentRuns"/> resolves above 1: other blocks are then scored on other threads
    /// at the same time), one run after the other, and each run writes into its own reused buffer, from which the rows are served. Tensors are captured back to back, so rows of one size that
    /// arrive together are scored in place without gathering. A row that fails (its image could not be read, its
    /// tensor does not fit, or a run holding it fails: then its rows are scored one by one to find it) is reported
    /// at its own row's getter, so a consumer can skip it and go on, as with a lazy cursor.
    /// </summary>
    private sealed class ScoringBlock : BlockComputation
    {
        private readonly OnnxScoringTransformer _owner;
        private readonly SegmentationModel _model;
        private readonly ValueGetter<VBuffer<float>> _tensorGetter;
        private readonly ValueGetter<VBuffer<int>> _geometryGetter;
        private readonly int[] _inputOffsets;
        private readonly int[] _heights;
        private readonly int[] _widths;
        private readonly int[] _order;
        private readonly bool[] _grouped;
        private readonly int[] _runOfSlot;
        private readonly int[] _outputOffsets;
        private readonly int[] _outputLengths;
        private readonly ScoringBuffers _buffers;
        private readonly List<float[]> _runScores;
        private readonly List<int[]> _runLabels;
        private readonly ExceptionDispatchInfo?[] _errors;
        private readonly List<RunPlan> _plans = new();
        private int _inputLength;

        public ScoringBlock(OnnxScoringTransformer owner, DataViewRow input, int capacity)
        {
            _owner = owner;
            _model = owner._model;
            _tensorGetter = input.GetGetter<VBuffer<float>>(input.Schema[owner.InputColumnName]);
            _geometryGetter = input.GetGetter<VBuffer<int>>(input.Schema[owner.GeometryColumnName]);
            _inputOffsets = new int[capacity];
            _heights = new int[capacity];
            _widths = new int[capacity];
            _order = new int[capacity];
            _grouped = new bool[capacity];
            _runOfSlot = new int[capacity];
            _outputOffsets = new int[capacity];
            _outputLengths = new int[capacity];
            _buffers = owner._bufferPool.Rent();
            _runScores = _buffers.RunScores;
            _runLabels = _buffers.RunLabels;
            _errors = new ExceptionDispatchInfo?[capacity];
        }

        public override void Dispose() => _owner._bufferPool.Return(_buffers);

        public override void Capture(int slot)
        {
            if (slot == 0)
            {
                _inputLength = 0;
            }

            try
            {
                CaptureRow(slot);
                _errors[slot] = null;
            }
            catch (Exception e)
            {
                // Kept for this row's getter rather than failing the block, so the rows after it are still scored.
                _errors[slot] = ExceptionDispatchInfo.Capture(e);
            }
        }

        private void CaptureRow(int slot)
        {
            ref VBuffer<float> tensorValue = ref _buffers.Tensor;
            _tensorGetter(ref tensorValue);
            _geometryGetter(ref _buffers.Geometry);
            Imaging.ImageGeometry geometry = ColumnTypes.ToGeometry(_buffers.Geometry);
            int height = geometry.OutputHeight, width = geometry.OutputWidth;
            ReadOnlySpan<float> tensor = tensorValue.GetValues();
            int length = _model.InputChannels * height * width;
            if (!tensorValue.IsDense || tensor.Length != length)
            {
                throw new InvalidOperationException(
                    $"Column '{_owner.InputColumnName}' holds {tensorValue.Length} values; the model '{_model.ModelName}' needs {_model.InputChannels}×{height}×{width} for this row's geometry.");
            }

            EnsureLength(ref _buffers.Inputs, _inputLength + length, keep: _inputLength);
            tensor.CopyTo(_buffers.Inputs.AsSpan(_inputLength));
            _inputOffsets[slot] = _inputLength;
            _heights[slot] = height;
            _widths[slot] = width;
            _inputLength += length;
        }

        public override void Compute(int count)
        {
            int ordered = 0;
            _plans.Clear();
            Span<bool> done = _grouped.AsSpan(0, count);
            for (int slot = 0; slot < count; slot++)
            {
                done[slot] = _errors[slot] is not null;
            }

            for (int first = 0; first < count; first++)
            {
                if (done[first])
                {
                    continue;
                }

                int groupStart = ordered;
                for (int slot = first; slot < count; slot++)
                {
                    if (!done[slot] && _heights[slot] == _heights[first] && _widths[slot] == _widths[first])
                    {
                        done[slot] = true;
                        _order[ordered++] = slot;
                    }
                }

                // With several runs in flight, each run of a dynamic batch scores one image: measured faster than
                // batches of the group on one intra-op thread (PP-OCR det, 384×192 to 768×384: 1.2× halves of 4).
                int batch = _model.MaxBatch ?? (_owner._concurrentRuns > 1 ? 1 : ordered - groupStart);
                for (int start = groupStart; start < ordered; start += batch)
                {
                    int rows = Math.Min(batch, ordered - start);
                    _plans.Add(new RunPlan(start, rows, _heights[first], _widths[first], _model.MaxBatch ?? rows));
                }
            }

            // Concurrent runs are other blocks, scored on other threads (ReadAheadProducers): a block's runs go one by one.
            EnsureRuns(_plans.Count);
            for (int run = 0; run < _plans.Count; run++)
            {
                TryScorePlan(run);
            }

            // A failed run's rows are scored one by one (after the others, in new runs), so only the rows that fail alone carry the error.
            int next = _plans.Count;
            for (int run = 0; run < _plans.Count; run++)
            {
                if (_plans[run].Failed)
                {
                    RunPlan plan = _plans[run];
                    for (int i = 0; i < plan.Rows; i++)
                    {
                        ScoreAlone(_order[plan.Start + i], ref next, plan.Height, plan.Width);
                    }
                }
            }
        }

        private void TryScorePlan(int run)
        {
            RunPlan plan = _plans[run];
            ReadOnlySpan<int> slots = _order.AsSpan(plan.Start, plan.Rows);
            try
            {
                ScoreRun(slots, run, plan.Height, plan.Width, plan.Batch);
            }
            catch (Exception e) when (slots.Length == 1)
            {
                _errors[slots[0]] = ExceptionDispatchInfo.Capture(e);
            }
            catch (Exception)
            {
                // Which row broke the run is unknown: Compute scores them one by one.
                _plans[run] = plan with { Failed = true };
            }
        }

        private void ScoreAlone(int slot, ref int run, int height, int width)
        {
            EnsureRuns(run + 1);
            try
            {
                ScoreRun([slot], run, height, width, _model.MaxBatch ?? 1);
                run++;
            }
            catch (Exception e)
            {
                _errors[slot] = ExceptionDispatchInfo.Capture(e);
            }
        }

        /// <summary>Makes room for <paramref name="runs"/> runs' buffers before runs write them (perhaps at once).</summary>
        private void EnsureRuns(int runs)
        {
            while (_runScores.Count < runs)
            {
                _runScores.Add(Array.Empty<float>());
            }

            while (_runLabels.Count < runs)
            {
                _runLabels.Add(Array.Empty<int>());
            }

            while (_buffers.Gathered.Count < runs)
            {
                _buffers.Gathered.Add(Array.Empty<float>());
            }
        }

        /// <summary>Scores the rows in <paramref name="slots"/> (all one size) in one run, as a batch of <paramref name="batch"/> (padded with zero images when larger).</summary>
        private void ScoreRun(ReadOnlySpan<int> slots, int run, int height, int width, int batch)
        {
            int imageLength = _model.InputChannels * height * width;
            ReadOnlySpan<float> input = RunInput(slots, run, imageLength, batch);
            int perRow;
            if (_owner.MaskClassNames is null)
            {
                float[] scores = _runScores[run];
                SegmentationShape shape = _model.Run(input, batch, height, width, ref scores);
                _runScores[run] = scores;
                perRow = shape.ElementCount / batch;
            }
            else
            {
                // Integer masks are never resized: the input's size bounds the mask's.
                int[] labels = _runLabels[run];
                EnsureLength(ref labels, batch * height * width, keep: 0);
                _runLabels[run] = labels;
                perRow = _model.RunMask(input, batch, height, width, labels).ElementCount / batch;
            }

            for (int i = 0; i < slots.Length; i++)
            {
                _runOfSlot[slots[i]] = run;
                _outputOffsets[slots[i]] = i * perRow;
                _outputLengths[slots[i]] = perRow;
            }
        }

        /// <summary>The input of one run: in place when the rows lie back to back, else gathered (and zero-padded to <paramref name="batch"/>).</summary>
        private ReadOnlySpan<float> RunInput(ReadOnlySpan<int> slots, int run, int imageLength, int batch)
        {
            bool adjacent = slots.Length == batch;
            for (int i = 1; adjacent && i < slots.Length; i++)
            {
                adjacent = _inputOffsets[slots[i]] == _inputOffsets[slots[i - 1]] + imageLength;
            }

            if (adjacent)
            {
                return _buffers.Inputs.AsSpan(_inputOffsets[slots[0]], batch * imageLength);
            }

            float[] buffer = _buffers.Gathered[run];
            EnsureLength(ref buffer, batch * imageLength, keep: 0);
            _buffers.Gathered[run] = buffer;
            Span<float> gathered = buffer.AsSpan(0, batch * imageLength);
            for (int i = 0; i < slots.Length; i++)
            {
                _buffers.Inputs.AsSpan(_inputOffsets[slots[i]], imageLength).CopyTo(gathered.Slice(i * imageLength));
            }

            gathered[(slots.Length * imageLength)..].Clear();
            return gathered;
        }

        public override Delegate GetGetter(int outputIndex, BlockSlot slot) => _owner.MaskClassNames is { } names
            ? (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> value) =>
            {
                int s = slot.Value;
                _errors[s]?.Throw();
                ColumnTypes.PredictionsToKeys(_runLabels[_runOfSlot[s]].AsSpan(_outputOffsets[s], _outputLengths[s]), names.Count, _owner.OutputColumnName, ref value);
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                int s = slot.Value;
                _errors[s]?.Throw();
                VBufferEditor<float> editor = VBufferEditor.Create(ref value, _outputLengths[s]);
                _runScores[_runOfSlot[s]].AsSpan(_outputOffsets[s], _outputLengths[s]).CopyTo(editor.Values);
                value = editor.Commit();
            });

        private static void EnsureLength<T>(ref T[] buffer, int length, int keep)
        {
            if (buffer.Length < length)
            {
                var larger = new T[Math.Max(length, buffer.Length * 2)];
                buffer.AsSpan(0, keep).CopyTo(larger);
                buffer = larger;
            }
        }
    }

    /// <summary>One run of a block: <see cref="Rows"/> rows of one size from <c>Start</c> in the block's size order, as a batch of <see cref="Batch"/>.</summary>
    private readonly record struct RunPlan(int Start, int Rows, int Height, int Width, int Batch, bool Failed = false);

    /// <summary>The tensor-sized buffers of a scoring block, pooled by the transformer across cursors.</summary>
    private sealed class ScoringBuffers
    {
        public VBuffer<float> Tensor;
        public VBuffer<int> Geometry;
        public float[] Inputs = Array.Empty<float>();
        public readonly List<float[]> Gathered = new();
        public readonly List<float[]> RunScores = new();
        public readonly List<int[]> RunLabels = new();
    }
}
