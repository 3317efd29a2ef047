using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// One block of rows read ahead from the upstream cursor: their pass-through columns, ids and the transformer's
/// computed outputs. Filled on a producer thread, then read by the consumer; reused block after block.
/// </summary>
internal sealed class RowBlock : IDisposable
{
    private readonly DataViewRowCursor _input;
    private readonly ValueGetter<DataViewRowId> _id;
    private readonly DataViewRowId[] _ids;
    private readonly long[] _batches;
    private readonly CachedColumn?[] _columns;
    private int _captured;

    public RowBlock(DataViewRowCursor input, IReadOnlyList<DataViewSchema.Column> passThrough, BlockComputation computation, int capacity)
    {
        _input = input;
        _id = input.GetIdGetter();
        _ids = new DataViewRowId[capacity];
        _batches = new long[capacity];
        _columns = new CachedColumn?[input.Schema.Count];
        foreach (DataViewSchema.Column column in passThrough)
        {
            _columns[column.Index] = CachedColumn.Create(input, column, capacity);
        }

        Computation = computation;
        Capacity = capacity;
        Getters = new Dictionary<int, Delegate>();
    }

    public int Capacity { get; }

    /// <summary>The rows this block serves.</summary>
    public int Count { get; private set; }

    /// <summary>The slot the consumer is on; the block's getters read it.</summary>
    public BlockSlot Slot { get; } = new();

    /// <summary>What failed while filling the block: thrown when the consumer moves past its last good row.</summary>
    public ExceptionDispatchInfo? Error { get; private set; }

    /// <summary>Whether the upstream cursor ran out while filling this block.</summary>
    public bool IsLast { get; private set; }

    public BlockComputation Computation { get; }

    /// <summary>The consumer's getters on this block, by schema index, made once.</summary>
    public Dictionary<int, Delegate> Getters { get; }

    public DataViewRowId Id(int slot) => _ids[slot];

    public long Batch(int slot) => _batches[slot];

    public Delegate PassThroughGetter(int index) => _columns[index]!.GetGetter(Slot);

    /// <summary>Where this block stands in the upstream order (set by the cursor when it captures the block's rows).</summary>
    public long Sequence { get; set; }

    /// <summary>
    /// Reads up to <see cref="Capacity"/> rows from the upstream cursor into the block (the only part that touches the
    /// upstream cursor, so callers on several threads take turns here).
    /// </summary>
    public void Capture()
    {
        Count = 0;
        Error = null;
        IsLast = false;
        _captured = 0;
        try
        {
            while (_captured < Capacity)
            {
                if (!_input.MoveNext())
                {
                    IsLast = true;
                    break;
                }

                _id(ref _ids[_captured]);
                _batches[_captured] = _input.Batch;
                foreach (CachedColumn? column in _columns)
                {
                    column?.Capture(_captured);
                }

                Computation.Capture(_captured);
                _captured++;
            }
        }
        catch (Exception e)
        {
            // The rows before the failing one are still served; the failure surfaces when the consumer reaches it.
            Error = ExceptionDispatchInfo.Capture(e);
            IsLast = true;
        }
    }

    /// <summary>Computes the captured rows (on any thread: it reads only this block's buffers).</summary>
    public void Compute()
    {
        if (_captured == 0)
        {
            return;
        }

        try
        {
            Computation.Compute(_captured);
            Count = _captured;
        }
        catch (Exception e)
        {
            Error = ExceptionDispatchInfo.Capture(e);
            IsLast = true;
        }
    }

    public void Dispose() => Computation.Dispose();
}
