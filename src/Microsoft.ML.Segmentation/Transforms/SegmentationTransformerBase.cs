using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Base of SegML's transformers: each appends columns computed lazily, row by row, from columns of its input, so a
/// pipeline streams over its data and works in a <c>PredictionEngine</c>.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> cannot write these transformers: ML.NET keeps the writer of
/// <see cref="ModelSaveContext"/> internal to its own assemblies. SegML saves its pipelines in its own format.
/// <para>Thread safety: safe to share once fitted: <c>Transform</c>, <c>GetRowToRowMapper</c> and cursors over its
/// output may be used on several threads at once; each cursor, row and <c>PredictionEngine</c> serves one thread at a
/// time (create engines with <c>PredictionEngineOptions.OwnsTransformer = false</c>, or disposing one engine disposes
/// this transformer).</para>
/// </remarks>
public abstract class SegmentationTransformerBase : ITransformer
{
    private protected SegmentationTransformerBase()
    {
    }

    /// <summary>Always <see langword="true"/>: every output row depends on one input row only.</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (InputColumn input in InputColumns)
        {
            input.Check(inputSchema);
        }

        IReadOnlyList<SegmentationColumn> added = AddedColumns;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (SegmentationColumn column in added)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new SegmentationDataView(this, input, GetOutputSchema(input.Schema));
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new SegmentationRowMapper(this, inputSchema, GetOutputSchema(inputSchema));
    }

    /// <summary>Always throws: see the remarks of <see cref="SegmentationTransformerBase"/>.</summary>
    /// <param name="ctx">Unused.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw new NotSupportedException(
            $"{GetType().Name} cannot be written by mlContext.Model.Save: ML.NET keeps its model writer internal to its own assemblies. Save SegML pipelines with SegML's own format.");

    /// <summary>The columns this transformer adds.</summary>
    internal abstract IReadOnlyList<SegmentationColumn> AddedColumns { get; }

    /// <summary>The input columns the added columns are computed from, with the types they must have.</summary>
    internal abstract IReadOnlyList<InputColumn> InputColumns { get; }

    /// <summary>Creates the per-cursor computation over <paramref name="input"/>.</summary>
    private protected abstract RowComputation CreateComputation(DataViewRow input);

    /// <summary>
    /// Rows a cursor reads ahead and computes together on a background thread; 1 (the default) computes each row
    /// lazily on the consumer's thread. Transformers returning more implement <see cref="ComputeBlock"/>.
    /// </summary>
    internal virtual int ReadAheadBlockSize => 1;

    /// <summary>
    /// Threads a read-ahead cursor fills blocks on, each block on one of them (the rows still come out in order):
    /// more than 1 where a block's own computation cannot keep the cores busy. Default: 1.
    /// </summary>
    internal virtual int ReadAheadProducers => 1;

    /// <summary>Creates the work of one read-ahead block of <paramref name="capacity"/> rows over <paramref name="input"/>.</summary>
    internal virtual BlockComputation ComputeBlock(DataViewRow input, int capacity)
        => throw new NotSupportedException($"{GetType().Name} computes rows one at a time.");

    /// <summary>What <see cref="SegmentationModelArchive"/> writes for this stage.</summary>
    internal abstract StageDescription Describe();

    internal IEnumerable<DataViewSchema.Column> Dependencies(DataViewSchema inputSchema)
        => InputColumns.Select(c => inputSchema[c.Name]);

    internal RowComputation Compute(DataViewRow input) => CreateComputation(input);
}
