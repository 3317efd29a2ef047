using System;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The per-cursor work of a segmentation transformer: computes all its output columns for the input row the
/// cursor is on, once per row however many of them are read, and hands out getters for them.
/// </summary>
internal abstract class RowComputation : IDisposable
{
    private long _computedPosition = -1;

    protected RowComputation(DataViewRow input) => Input = input;

    protected DataViewRow Input { get; }

    /// <summary>A getter for output column <paramref name="outputIndex"/> (0-based among the added columns).</summary>
    public abstract Delegate GetGetter(int outputIndex);

    public virtual void Dispose()
    {
    }

    /// <summary>Runs <see cref="Compute"/> if the input moved since the last call.</summary>
    protected void EnsureComputed()
    {
        if (_computedPosition != Input.Position)
        {
            Compute();
            _computedPosition = Input.Position;
        }
    }

    /// <summary>Computes every output of the current input row.</summary>
    protected abstract void Compute();
}
