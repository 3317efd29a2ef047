using System;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// An estimator whose transformer needs no training: <see cref="Fit"/> checks the data's schema and returns the
/// transformer it was built with.
/// </summary>
/// <typeparam name="TTransformer">The transformer.</typeparam>
/// <remarks>Thread safety: like ML.NET's own catalogs and estimators, build and fit on one thread; the fitted
/// transformers are then safe to share.</remarks>
public sealed class SegmentationEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : SegmentationTransformerBase
{
    private readonly TTransformer _transformer;

    internal SegmentationEstimator(TTransformer transformer) => _transformer = transformer;

    /// <summary>The transformer, for estimators built on others.</summary>
    internal TTransformer Transformer => _transformer;

    /// <summary>Checks that <paramref name="input"/> has the columns the transformer reads and returns the transformer.</summary>
    /// <param name="input">The data.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or of the wrong type (the message names it).</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <summary>The schema after the transformer: the input's columns and the added ones.</summary>
    /// <param name="inputSchema">The input's schema shape.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (InputColumn column in _transformer.InputColumns)
        {
            column.Check(inputSchema);
        }

        return SchemaShapes.Extend(inputSchema, _transformer.AddedColumns);
    }
}
