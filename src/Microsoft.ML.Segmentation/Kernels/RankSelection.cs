using System;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// The value at a rank of an unsorted array without sorting it (Hoare's selection, median-of-three pivots): what a
/// full sort then an index gives, in linear expected time.
/// </summary>
internal static class RankSelection
{
    /// <summary>
    /// The <paramref name="rank"/>-th smallest of <paramref name="values"/> (0-based: 0 is the minimum), which are
    /// reordered. Every value must be comparable (no NaN).
    /// </summary>
    /// <remarks>
    /// After 2·log₂(n) + 8 partitions (about twice what random orders take; an adversarial order could take n) the
    /// range left is sorted instead, so the worst case stays O(n log n); ranges under 16 values are sorted too.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is not an index of <paramref name="values"/>.</exception>
    public static double Smallest(Span<double> values, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, values.Length);
        int low = 0, high = values.Length - 1;
        int budget = (2 * (int)Math.Log2(values.Length)) + 8;
        while (high > low)
        {
            if (high - low < 16 || budget-- == 0)
            {
                values[low..(high + 1)].Sort();
                return values[rank];
            }

            // Median of three as the pivot, then Hoare's partition: [low, j] ≤ pivot ≤ [j + 1, high].
            int middle = low + ((high - low) / 2);
            double pivot = MedianOfThree(values[low], values[middle], values[high]);
            int i = low - 1, j = high + 1;
            while (true)
            {
                do
                {
                    i++;
                }
                while (values[i] < pivot);

                do
                {
                    j--;
                }
                while (values[j] > pivot);

                if (i >= j)
                {
                    break;
                }

                (values[i], values[j]) = (values[j], values[i]);
            }

            if (rank <= j)
            {
                high = j;
            }
            else
            {
                low = j + 1;
            }
        }

        return values[rank];
    }

    private static double MedianOfThree(double a, double b, double c)
        => a < b ? (b < c ? b : Math.Max(a, c)) : (a < c ? a : Math.Max(b, c));
}
