using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>The lazy output of a <see cref="SegmentationTransformerBase"/>: the input's rows with the added columns.</summary>
internal sealed class SegmentationDataView : IDataView
{
    private readonly SegmentationTransformerBase _transformer;
    private readonly IDataView _source;

    public SegmentationDataView(SegmentationTransformerBase transformer, IDataView source, DataViewSchema schema)
    {
        _transformer = transformer;
        _source = source;
        Schema = schema;
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = columnsNeeded.ToArray();
        DataViewRowCursor input = _source.GetRowCursor(SourceColumns(needed), rand);
        bool computes = needed.Any(c => c.Index >= _source.Schema.Count);
        return computes && (_transformer.ReadAheadBlockSize > 1 || _transformer.ReadAheadProducers > 1)
            ? new ReadAheadCursor(input, Schema, needed, _transformer, _transformer.ReadAheadBlockSize)
            : new SegmentationCursor(input, Schema, needed, _transformer);
    }

    // One cursor: a read-ahead cursor already works in parallel behind the scenes, and splitting rows across cursors
    // would split the batches.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>The source columns needed: those asked for, plus the transformer's inputs when an added column is asked for.</summary>
    private IEnumerable<DataViewSchema.Column> SourceColumns(DataViewSchema.Column[] needed)
    {
        int inputCount = _source.Schema.Count;
        var columns = needed.Where(c => c.Index < inputCount).Select(c => _source.Schema[c.Index]).ToList();
        if (needed.Any(c => c.Index >= inputCount))
        {
            columns.AddRange(_transformer.Dependencies(_source.Schema));
        }

        return columns.Distinct();
    }
}
