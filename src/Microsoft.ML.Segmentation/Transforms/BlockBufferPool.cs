using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Buffers of read-ahead blocks kept by a fitted transformer between cursors, so a cursor opened per request (a
/// folder scored again, an evaluation pass) does not allocate tensor-sized arrays again. Bounded: at most
/// <see cref="MaxRetained"/> sets are kept (two cursors' blocks: a cursor holds one block more than its producer
/// threads, three with two concurrent ONNX Runtime runs), the rest are left to the GC.
/// </summary>
/// <remarks>
/// Thread-safe: cursors on several threads rent and return at once. A <see cref="ConcurrentQueue{T}"/> rather than a
/// ConcurrentBag, whose per-thread lists are never released and would grow with every thread that ever returned a
/// set; a slot is reserved (by compare-and-swap, only while one is free) before the enqueue, so concurrent returns
/// cannot overshoot the bound, even transiently.
/// </remarks>
internal sealed class BlockBufferPool<T>
    where T : class
{
    public const int MaxRetained = 6;
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
        // Reserve a slot only while one is free (compare-and-swap), so the count never passes the bound, not even for
        // the moment an increment-then-undo would hold it above (which BlockBufferPoolTests once caught).
        int count = Volatile.Read(ref _count);
        while (count < MaxRetained)
        {
            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                _retained.Enqueue(buffers);
                return;
            }

            count = seen;
        }
    }
}
