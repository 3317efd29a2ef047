using System;
using System.Buffers;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Sort buffers for one Lovász problem, rented from the shared pool and returned on dispose.</summary>
/// <typeparam name="TKey"><see cref="uint"/> for single-precision errors, <see cref="ulong"/> for double.</typeparam>
internal sealed class LovaszScratch<TKey> : IDisposable
    where TKey : unmanaged
{
    private bool _disposed;

    public LovaszScratch(int capacity)
    {
        int length = Math.Max(capacity, 1);
        Keys = ArrayPool<TKey>.Shared.Rent(length);
        Items = ArrayPool<int>.Shared.Rent(length);
        KeyScratch = ArrayPool<TKey>.Shared.Rent(length);
        ItemScratch = ArrayPool<int>.Shared.Rent(length);
        Counters = ArrayPool<int>.Shared.Rent(LovaszSorter.CounterLength<TKey>());
    }

    public TKey[] Keys { get; }

    public int[] Items { get; }

    public TKey[] KeyScratch { get; }

    public int[] ItemScratch { get; }

    public int[] Counters { get; }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<TKey>.Shared.Return(Keys);
        ArrayPool<int>.Shared.Return(Items);
        ArrayPool<TKey>.Shared.Return(KeyScratch);
        ArrayPool<int>.Shared.Return(ItemScratch);
        ArrayPool<int>.Shared.Return(Counters);
    }
}
