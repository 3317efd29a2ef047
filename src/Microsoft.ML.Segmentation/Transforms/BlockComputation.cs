using System;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The work of a transformer over a block of rows read ahead by a <see cref="ReadAheadCursor"/>: captures each row's
/// inputs while the upstream cursor is on it, computes all rows at once (a batched model run, parallel decoding),
/// then hands the outputs out row by row. One instance per block; blocks are reused, so buffers are too.
/// </summary>
internal abstract class BlockComputation : IDisposable
{
    /// <summary>Reads this transformer's inputs from the upstream row into <paramref name="slot"/>.</summary>
    public abstract void Capture(int slot);

    /// <summary>Computes the outputs of slots 0 to <paramref name="count"/> − 1.</summary>
    public abstract void Compute(int count);

    /// <summary>A getter for added column <paramref name="outputIndex"/> that serves the row in <paramref name="slot"/>.</summary>
    public abstract Delegate GetGetter(int outputIndex, BlockSlot slot);

    public virtual void Dispose()
    {
    }
}

/// <summary>The slot of the current row within its block, shared by the getters of one block.</summary>
internal sealed class BlockSlot
{
    public int Value { get; set; }
}
