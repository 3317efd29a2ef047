using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// A cursor that reads its input in blocks of rows on a background thread, computes each block at once (a batched
/// model run, parallel image decoding) and serves the rows one by one, while the next block is being prepared.
/// </summary>
/// <remarks>
/// At most <see cref="BlocksInFlight"/> blocks exist: one being read by the consumer, the others being filled or
/// waiting, so memory stays bounded by the block size whatever the data's length. The upstream cursor is only ever
/// used by the producer thread, one call at a time.
/// </remarks>
internal sealed class ReadAheadCursor : DataViewRowCursor
{
    private const int BlocksInFlight = 2;
    private readonly DataViewRowCursor _input;
    private readonly HashSet<int> _active;
    private readonly int _inputCount;
    private readonly BlockingCollection<RowBlock> _free = new();
    private readonly BlockingCollection<RowBlock> _ready = new();
    private readonly List<RowBlock> _blocks = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _producer;
    private RowBlock? _current;
    private long _position = -1;
    private bool _done;

    public ReadAheadCursor(DataViewRowCursor input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, SegmentationTransformerBase transformer, int blockSize)
    {
        _input = input;
        Schema = schema;
        _inputCount = input.Schema.Count;
        _active = active.Select(c => c.Index).ToHashSet();
        DataViewSchema.Column[] passThrough = _active.Where(i => i < _inputCount).Select(i => input.Schema[i]).ToArray();
        try
        {
            for (int i = 0; i < BlocksInFlight; i++)
            {
                var block = new RowBlock(input, passThrough, transformer.ComputeBlock(input, blockSize), blockSize);
                _blocks.Add(block);
                _free.Add(block);
            }
        }
        catch
        {
            _blocks.ForEach(b => b.Dispose());
            throw;
        }
    }

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

        _producer ??= Task.Factory.StartNew(Produce, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
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

                _free.Add(finished);
            }

            _current = _ready.Take();
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

    private void Produce()
    {
        try
        {
            while (true)
            {
                RowBlock block = _free.Take(_stop.Token);
                block.Fill();
                _ready.Add(block);
                if (block.IsLast)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The consumer disposed the cursor before reading everything.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            try
            {
                _producer?.Wait();
            }
            catch (AggregateException)
            {
                // Produce catches its own failures into the blocks; nothing else is expected here.
            }

            _blocks.ForEach(b => b.Dispose());
            _free.Dispose();
            _ready.Dispose();
            _stop.Dispose();
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}
