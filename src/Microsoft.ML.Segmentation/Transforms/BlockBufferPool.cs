using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Buffers of read-ahead blocks kept by a fitted transformer between cursors, so a cursor opened per request (a
/// folder scored again, an evaluation pass) does not allocate tensor-sized arrays again. Bounded: at most
/// <see cref="MaxRetained"/> sets are kept (two blocks per cursor, two cursors), the rest are left to the GC.
/// </summary>
/// <remarks>
/// Thread-safe: cursors on several threads rent and return at once. A <see cref="ConcurrentQueue{T}"/> rather than a
/// ConcurrentBag, whose per-thread lists are never released and would grow with every thread that ever returned a
/// set; the count is reserved before the enqueue, so concurrent returns cannot overshoot the bound either.
/// </remarks>
internal sealed class BlockBufferPool<T>
    where T : class
{
    public const int MaxRetained = 4;
    private readonly ConcurrentQueue<T> _retained = new();
    private readonly Func<T> _create;
    private int _count;

    public BlockBufferPool(Func<T> create) => _create = create;

    /// <summary>Sets held now; never more than <see cref="MaxRetained"/>.</summary>
    public int RetainedCount => Volatile.Read(ref _count);

    public T Rent()
    {
        if (_retained.TryDequeue(out T? buffers))
        {
            Interlocked.Decrement(ref _count);
            return buffers;
        }

        return _create();
    }

    public void Return(T buffers)
    {
        if (Interlocked.Increment(ref _count) <= MaxRetained)
        {
            _retained.Enqueue(buffers);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
