using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A stable least-significant-digit radix sort of (key, item) pairs by ascending unsigned key. The Lovász losses
/// encode a non-negative error as the complement of its IEEE bit pattern, so ascending keys are decreasing errors,
/// and stability keeps tied errors in ascending pixel order: the result is deterministic.
/// </summary>
internal static class LovaszSorter
{
    /// <summary>Below this many pairs an insertion sort (also stable) beats the histogram passes.</summary>
    internal const int InsertionSortThreshold = 48;

    /// <summary>Up to this many pairs the passes take 11-bit digits, above it bytes (see <see cref="Sort{TKey}"/>).</summary>
    internal const int WideDigitLimit = 1 << 17;

    /// <summary>The counters <see cref="Sort{TKey}"/> needs for keys of type <typeparamref name="TKey"/>.</summary>
    public static int CounterLength<TKey>()
        where TKey : unmanaged => Math.Max(Passes<TKey>(11) << 11, Passes<TKey>(8) << 8);

    /// <summary>
    /// Sorts <paramref name="keys"/> ascending, moving <paramref name="items"/> with them, one digit per pass, skipping
    /// a pass when all keys share its digit. Digits are 11 bits for up to <see cref="WideDigitLimit"/> pairs (3 passes
    /// for 32-bit keys: an image's errors for the Lovász hinge; a pass's 2,048 counters, 8 KB, sit in L1) and bytes
    /// above (4 passes): for the half-million-pixel problems of a batch, bytes beat 11-bit digits, as a pass's scatter
    /// stays within cache and TLB reach.
    /// </summary>
    /// <param name="keys">The keys; sorted in place or into <paramref name="keyScratch"/>.</param>
    /// <param name="items">The items that travel with the keys.</param>
    /// <param name="keyScratch">Scratch as long as <paramref name="keys"/>.</param>
    /// <param name="itemScratch">Scratch as long as <paramref name="items"/>.</param>
    /// <param name="counters">At least <see cref="CounterLength{TKey}"/> counters.</param>
    /// <returns><see langword="true"/> when the sorted pairs ended in the scratch buffers, <see langword="false"/> when in place.</returns>
    public static bool Sort<TKey>(Span<TKey> keys, Span<int> items, Span<TKey> keyScratch, Span<int> itemScratch, Span<int> counters)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        Debug.Assert(keys.Length == items.Length && keyScratch.Length >= keys.Length && itemScratch.Length >= keys.Length);
        int n = keys.Length;
        if (n <= InsertionSortThreshold)
        {
            InsertionSort(keys, items);
            return false;
        }

        return n <= WideDigitLimit
            ? RadixSort<TKey, ElevenBitDigits>(keys, items, keyScratch, itemScratch, counters)
            : RadixSort<TKey, ByteDigits>(keys, items, keyScratch, itemScratch, counters);
    }

    /// <summary>The digit width of a radix sort, a type argument so that the JIT folds the shifts and unrolls the count over passes.</summary>
    private interface IDigitWidth
    {
        static abstract int Bits { get; }
    }

    private readonly struct ElevenBitDigits : IDigitWidth
    {
        public static int Bits => 11;
    }

    private readonly struct ByteDigits : IDigitWidth
    {
        public static int Bits => 8;
    }

    private static bool RadixSort<TKey, TDigits>(Span<TKey> keys, Span<int> items, Span<TKey> keyScratch, Span<int> itemScratch, Span<int> counters)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
        where TDigits : struct, IDigitWidth
    {
        int n = keys.Length;
        int digitBits = TDigits.Bits;
        int passes = Passes<TKey>(digitBits);
        int radix = 1 << digitBits;
        TKey mask = TKey.CreateTruncating(radix - 1);
        Span<int> counts = counters[..(passes * radix)];
        counts.Clear();

        // One pass counts every digit of every key; a digit that is the same for all keys needs no pass.
        for (int i = 0; i < n; i++)
        {
            TKey key = keys[i];
            for (int pass = 0; pass < passes; pass++)
            {
                counts[(pass * radix) + int.CreateTruncating((key >> (pass * digitBits)) & mask)]++;
            }
        }

        Span<TKey> srcKeys = keys;
        Span<int> srcItems = items;
        Span<TKey> dstKeys = keyScratch[..n];
        Span<int> dstItems = itemScratch[..n];
        bool inScratch = false;
        for (int pass = 0; pass < passes; pass++)
        {
            int shift = pass * digitBits;
            Span<int> histogram = counts.Slice(pass * radix, radix);
            if (histogram[int.CreateTruncating((srcKeys[0] >> shift) & mask)] == n)
            {
                continue;
            }

            // Exclusive prefix sums turn counts into the first output slot of each digit.
            int offset = 0;
            for (int d = 0; d < radix; d++)
            {
                int count = histogram[d];
                histogram[d] = offset;
                offset += count;
            }

            for (int i = 0; i < n; i++)
            {
                TKey key = srcKeys[i];
                int slot = histogram[int.CreateTruncating((key >> shift) & mask)]++;
                dstKeys[slot] = key;
                dstItems[slot] = srcItems[i];
            }

            Span<TKey> k = srcKeys;
            srcKeys = dstKeys;
            dstKeys = k;
            Span<int> it = srcItems;
            srcItems = dstItems;
            dstItems = it;
            inScratch = !inScratch;
        }

        return inScratch;
    }

    private static int Passes<TKey>(int digitBits)
        where TKey : unmanaged => ((Unsafe.SizeOf<TKey>() * 8) + digitBits - 1) / digitBits;

    private static void InsertionSort<TKey>(Span<TKey> keys, Span<int> items)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        for (int i = 1; i < keys.Length; i++)
        {
            TKey key = keys[i];
            int item = items[i];
            int j = i - 1;
            while (j >= 0 && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                items[j + 1] = items[j];
                j--;
            }

            keys[j + 1] = key;
            items[j + 1] = item;
        }
    }
}
