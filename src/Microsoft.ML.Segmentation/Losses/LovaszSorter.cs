using System;
using System.Diagnostics;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>
/// A stable least-significant-digit radix sort of (key, item) pairs by ascending unsigned key. The Lovász losses
/// encode a non-negative error as the complement of its IEEE bit pattern, so ascending keys are descending errors,
/// and stability keeps tied errors in ascending pixel order: the result is deterministic.
/// </summary>
internal static class LovaszSorter
{
    /// <summary>Below this many pairs an insertion sort (also stable) beats the histogram passes.</summary>
    internal const int InsertionSortThreshold = 48;

    private const int Radix = 256;

    /// <summary>
    /// Sorts <paramref name="keys"/> ascending, moving <paramref name="items"/> with them. Only the low
    /// <paramref name="keyBytes"/> bytes of each key take part (4 for single-precision keys, 8 for double).
    /// </summary>
    /// <returns><see langword="true"/> when the sorted pairs ended in the scratch buffers, <see langword="false"/> when in place.</returns>
    public static bool Sort(Span<ulong> keys, Span<int> items, Span<ulong> keyScratch, Span<int> itemScratch, int keyBytes)
    {
        Debug.Assert(keys.Length == items.Length && keyScratch.Length >= keys.Length && itemScratch.Length >= keys.Length);
        Debug.Assert(keyBytes is 4 or 8);
        int n = keys.Length;
        if (n <= InsertionSortThreshold)
        {
            InsertionSort(keys, items);
            return false;
        }

        // One pass counts every digit of every byte; a byte that is the same for all keys needs no pass.
        Span<int> counts = stackalloc int[8 * Radix];
        counts.Clear();
        for (int i = 0; i < n; i++)
        {
            ulong key = keys[i];
            for (int b = 0; b < keyBytes; b++)
            {
                counts[(b * Radix) + (int)((key >> (8 * b)) & 0xFF)]++;
            }
        }

        Span<ulong> srcKeys = keys;
        Span<int> srcItems = items;
        Span<ulong> dstKeys = keyScratch[..n];
        Span<int> dstItems = itemScratch[..n];
        bool inScratch = false;
        for (int b = 0; b < keyBytes; b++)
        {
            Span<int> histogram = counts.Slice(b * Radix, Radix);
            int firstDigit = (int)((srcKeys[0] >> (8 * b)) & 0xFF);
            if (histogram[firstDigit] == n)
            {
                continue;
            }

            // Exclusive prefix sums turn counts into the first output slot of each digit.
            int offset = 0;
            for (int d = 0; d < Radix; d++)
            {
                int count = histogram[d];
                histogram[d] = offset;
                offset += count;
            }

            int shift = 8 * b;
            for (int i = 0; i < n; i++)
            {
                ulong key = srcKeys[i];
                int slot = histogram[(int)((key >> shift) & 0xFF)]++;
                dstKeys[slot] = key;
                dstItems[slot] = srcItems[i];
            }

            Span<ulong> k = srcKeys;
            srcKeys = dstKeys;
            dstKeys = k;
            Span<int> it = srcItems;
            srcItems = dstItems;
            dstItems = it;
            inScratch = !inScratch;
        }

        return inScratch;
    }

    private static void InsertionSort(Span<ulong> keys, Span<int> items)
    {
        for (int i = 1; i < keys.Length; i++)
        {
            ulong key = keys[i];
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
