using System;
using System.Collections.Concurrent;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// Buffers of read-ahead blocks kept by a fitted transformer between cursors, so a cursor opened per request (a
/// folder scored again, an evaluation pass) does not allocate tensor-sized arrays again. Bounded: at most
/// <see cref="MaxRetained"/> sets are kept (two blocks per cursor, two cursors), the rest are left to the GC.
/// </summary>
internal sealed class BlockBufferPool<T>
    where T : class
{
    public const int MaxRetained = 4;
    private readonly ConcurrentBag<T> _retained = new();
    private readonly Func<T> _create;

    public BlockBufferPool(Func<T> create) => _create = create;

    public T Rent() => _retained.TryTake(out T? buffers) ? buffers : _create();

    public void Return(T buffers)
    {
        if (_retained.Count < MaxRetained)
        {
            _retained.Add(buffers);
        }
    }
}
