using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>The row-to-row view of a <see cref="SegmentationTransformerBase"/>, which <c>PredictionEngine</c> uses.</summary>
internal sealed class SegmentationRowMapper : IRowToRowMapper
{
    private readonly SegmentationTransformerBase _transformer;

    public SegmentationRowMapper(SegmentationTransformerBase transformer, DataViewSchema inputSchema, DataViewSchema outputSchema)
    {
        _transformer = transformer;
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = new List<DataViewSchema.Column>();
        foreach (DataViewSchema.Column column in dependingColumns)
        {
            if (column.Index < InputSchema.Count)
            {
                columns.Add(InputSchema[column.Index]);
            }
            else
            {
                columns.AddRange(_transformer.Dependencies(InputSchema));
            }
        }

        return columns.Distinct();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        => new MappedRow(input, OutputSchema, activeColumns, _transformer);

    private sealed class MappedRow : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly AddedColumns _added;

        public MappedRow(DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active, SegmentationTransformerBase transformer)
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

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _added.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
