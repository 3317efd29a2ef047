using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// A cursor that reads its input in blocks of rows on background threads, computes each block at once (a batched
/// model run, parallel image decoding) and serves the rows one by one, while the next block is being prepared.
/// </summary>
/// <remarks>
/// <para>
/// The transformer's <see cref="SegmentationTransformerBase.ReadAheadProducers"/> threads fill blocks, each block on one
/// thread: they take turns reading the upstream cursor (one call at a time, in order; each block is numbered as it is
/// read) and compute their blocks at the same time; the consumer gets the blocks back in that order. Several producers
/// keep the cores busy where one block's computation has a serial tail (ONNX Runtime runs of one thread each: a block
/// split among threads waits for its slowest run, and reading the next block's rows — the mask decode of a lazy
/// upstream stage included — waited for the whole block), while the rows still come out in order.
/// </para>
/// <para>
/// At most <see cref="BlocksInFlight"/> blocks exist (producers + 1): one being read by the consumer, the others
/// being filled or waiting, so memory stays bounded by the block size whatever the data's length.
/// </para>
/// </remarks>
internal sealed class ReadAheadCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly HashSet<int> _active;
    private readonly int _inputCount;
    private readonly List<RowBlock> _blocks = new();
    private readonly int _producerCount;

    // _gate guards the queues and flags below; _captureGate lets one producer at a time read the upstream cursor.
    private readonly object _gate = new();
    private readonly object _captureGate = new();
    private readonly Queue<RowBlock> _free = new();
    private readonly Dictionary<long, RowBlock> _ready = new();
    private bool _inputEnded;
    private bool _stopped;
    private long _nextToServe;
    private long _captured;
    private Task[]? _producers;
    private RowBlock? _current;
    private long _position = -1;
    private bool _done;

    public ReadAheadCursor(DataViewRowCursor input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, SegmentationTransformerBase transformer, int blockSize)
    {
        _producerCount = Math.Max(1, transformer.ReadAheadProducers);
        _input = input;
        Schema = schema;
        _inputCount = input.Schema.Count;
        _active = active.Select(c => c.Index).ToHashSet();
        DataViewSchema.Column[] passThrough = _active.Where(i => i < _inputCount).Select(i => input.Schema[i]).ToArray();
        try
        {
            for (int i = 0; i < BlocksInFlight(_producerCount); i++)
            {
                var block = new RowBlock(input, passThrough, transformer.ComputeBlock(input, blockSize), blockSize);
                _blocks.Add(block);
                _free.Enqueue(block);
            }
        }
        catch
        {
            _blocks.ForEach(b => b.Dispose());
            throw;
        }
    }

    /// <summary>The blocks a cursor with <paramref name="producers"/> producer threads holds: one more than they fill.</summary>
    internal static int BlocksInFlight(int producers) => Math.Max(1, producers) + 1;

    public override long Position => _position;

    public override long Batch => _current is { } block ? block.Batch(block.Slot.Value) : 0;

    public override DataViewSchema Schema { get; }

    public override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId value) => value = CurrentBlock().Id(CurrentBlock().Slot.Value);

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active.Contains(column.Index))
        {
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; ask for it when creating the cursor.");
        }

        // Each block has its own getters (over its own buffers); this one forwards to the current block's.
        int index = column.Index;
        Type expected = Schema[index].Type.RawType;
        if (expected != typeof(TValue))
        {
            throw new InvalidOperationException($"Column '{column.Name}' holds {expected.Name} values, not {typeof(TValue).Name}.");
        }

        return (ref TValue value) =>
        {
            RowBlock block = CurrentBlock();
            if (!block.Getters.TryGetValue(index, out Delegate? getter))
            {
                getter = index < _inputCount
                    ? block.PassThroughGetter(index)
                    : block.Computation.GetGetter(index - _inputCount, block.Slot);
                block.Getters[index] = getter;
            }

            ((ValueGetter<TValue>)getter)(ref value);
        };
    }

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        _producers ??= Enumerable.Range(0, _producerCount)
            .Select(_ => Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        if (_current is { } block && block.Slot.Value + 1 < block.Count)
        {
            block.Slot.Value++;
            _position++;
            return true;
        }

        while (true)
        {
            if (_current is { } finished)
            {
                _current = null;
                if (finished.Error is { } error)
                {
                    _done = true;
                    error.Throw();
                }

                if (finished.IsLast)
                {
                    _done = true;
                    return false;
                }

                lock (_gate)
                {
                    _free.Enqueue(finished);
                    Monitor.PulseAll(_gate);
                }
            }

            _current = TakeNextReady();
            _current.Slot.Value = 0;
            if (_current.Count > 0)
            {
                _position++;
                return true;
            }
        }
    }

    private RowBlock CurrentBlock()
        => _current is { Count: > 0 } block && _position >= 0
            ? block
            : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");

    /// <summary>Waits for the block that follows the last one served, in upstream order.</summary>
    private RowBlock TakeNextReady()
    {
        lock (_gate)
        {
            RowBlock? block;
            while (!_ready.Remove(_nextToServe, out block))
            {
                Monitor.Wait(_gate);
            }

            _nextToServe++;
            return block;
        }
    }

    private void Produce()
    {
        while (TakeFree() is { } block)
        {
            lock (_captureGate)
            {
                if (Ended())
                {
                    // Another producer read the last rows while this one waited for its turn.
                    return;
                }

                block.Capture();
                block.Sequence = _captured++;
                if (block.IsLast)
                {
                    End();
                }
            }

            block.Compute();
            lock (_gate)
            {
                // A failed computation marks its block last: the consumer stops there, so nothing more is read.
                _inputEnded |= block.IsLast;
                _ready.Add(block.Sequence, block);
                Monitor.PulseAll(_gate);
            }

            if (block.IsLast)
            {
                return;
            }
        }
    }

    /// <summary>A block to fill, or <see langword="null"/> once the rows have ended or the cursor is disposed.</summary>
    private RowBlock? TakeFree()
    {
        lock (_gate)
        {
            while (_free.Count == 0 && !_inputEnded && !_stopped)
            {
                Monitor.Wait(_gate);
            }

            return _inputEnded || _stopped ? null : _free.Dequeue();
        }
    }

    private bool Ended()
    {
        lock (_gate)
        {
            return _inputEnded || _stopped;
        }
    }

    private void End()
    {
        lock (_gate)
        {
            _inputEnded = true;
            Monitor.PulseAll(_gate);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }

            try
            {
                if (_producers is not null)
                {
                    Task.WaitAll(_producers);
                }
            }
            catch (AggregateException)
            {
                // Blocks hold their own failures; nothing else is expected here.
            }

            _blocks.ForEach(b => b.Dispose());
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}
