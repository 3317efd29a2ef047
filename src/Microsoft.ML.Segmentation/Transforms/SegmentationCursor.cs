using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>A cursor over a <see cref="SegmentationDataView"/>: input columns pass through, added columns are computed on demand.</summary>
internal sealed class SegmentationCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly AddedColumns _added;

    public SegmentationCursor(DataViewRowCursor input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, SegmentationTransformerBase transformer)
    {
        _input = input;
        Schema = schema;
        _added = new AddedColumns(input, schema, active, transformer);
    }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override DataViewSchema Schema { get; }

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _added.IsActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _added.GetGetter<TValue>(column);

    public override bool MoveNext() => _input.MoveNext();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _added.Dispose();
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The shared logic of cursors and rows: which columns are active and where their getters come from.</summary>
internal sealed class AddedColumns : IDisposable
{
    private readonly DataViewRow _input;
    private readonly DataViewSchema _schema;
    private readonly HashSet<int> _active;
    private readonly SegmentationTransformerBase _transformer;
    private RowComputation? _computation;

    public AddedColumns(DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, SegmentationTransformerBase transformer)
    {
        _input = input;
        _schema = schema;
        _active = active.Select(c => c.Index).ToHashSet();
        _transformer = transformer;
    }

    public bool IsActive(DataViewSchema.Column column)
        => column.Index < _input.Schema.Count ? _input.IsColumnActive(_input.Schema[column.Index]) : _active.Contains(column.Index);

    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = _input.Schema.Count;
        if (column.Index < inputCount)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (!_active.Contains(column.Index))
        {
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor; ask for it when creating the cursor.");
        }

        // Created on first use: the computation takes getters on its input columns, which are active only when one
        // of the added columns was asked for.
        _computation ??= _transformer.Compute(_input);
        Delegate getter = _computation.GetGetter(column.Index - inputCount);
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' holds {_schema[column.Index].Type.RawType.Name} values, not {typeof(TValue).Name}.");
    }

    public void Dispose() => _computation?.Dispose();
}
