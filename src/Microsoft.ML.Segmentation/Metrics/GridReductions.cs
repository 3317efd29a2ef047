using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Reduces a [batch, channel] grid of per-(item, class) scores in which NaN marks an undefined score (an absent class,
/// an empty mask), as MONAI's <c>do_metric_reduction</c> (MONAI 1.5.0): NaN entries are left out of every sum and mean,
/// and a mean with no valid entry reads 0 (MONAI fills it with zero, so an absent class reads 0 after
/// <c>mean_batch</c>, MONAI issue #7504). ±∞ entries are valid and propagate.
/// </summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
public static class GridReductions
{
    /// <summary>Reduces <paramref name="grid"/> as <paramref name="reduction"/> says.</summary>
    /// <param name="grid">The scores, item-major: entry (b, c) at <c>b·channels + c</c>.</param>
    /// <param name="batch">The number of items B; at least 1.</param>
    /// <param name="channels">The number of channels C; at least 1.</param>
    /// <param name="reduction">The reduction.</param>
    /// <returns>B·C values for <see cref="GridReduction.None"/> (NaN kept), C for the batch forms, B for the channel forms, otherwise one.</returns>
    /// <exception cref="ArgumentException">The grid does not hold B·C values, or the reduction is unknown.</exception>
    public static double[] Reduce(ReadOnlySpan<double> grid, int batch, int channels, GridReduction reduction)
    {
        Validate(grid, batch, channels);
        switch (reduction)
        {
            case GridReduction.None:
                return grid.ToArray();
            case GridReduction.Mean:
            {
                // Two steps, as MONAI: the mean over the valid channels of each item, then over the items that had one.
                double[] perItem = Reduce(grid, batch, channels, GridReduction.MeanChannel);
                double[] valid = CountNotNans(grid, batch, channels, GridReduction.MeanChannel);
                double sum = 0;
                int items = 0;
                for (int b = 0; b < batch; b++)
                {
                    if (valid[b] > 0)
                    {
                        sum += perItem[b];
                        items++;
                    }
                }

                return [items == 0 ? 0 : sum / items];
            }

            case GridReduction.Sum:
                return [Fold(grid, channels, 0, 0, batch, channels, mean: false)];
            case GridReduction.MeanBatch:
            case GridReduction.SumBatch:
            {
                var result = new double[channels];
                for (int c = 0; c < channels; c++)
                {
                    result[c] = Fold(grid, channels, 0, c, batch, c + 1, reduction == GridReduction.MeanBatch);
                }

                return result;
            }

            case GridReduction.MeanChannel:
            case GridReduction.SumChannel:
            {
                var result = new double[batch];
                for (int b = 0; b < batch; b++)
                {
                    result[b] = Fold(grid, channels, b, 0, b + 1, channels, reduction == GridReduction.MeanChannel);
                }

                return result;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction; use a GridReduction member.");
        }
    }

    /// <summary>
    /// The number of valid (non-NaN) entries behind each reduced value: MONAI's <c>not_nans</c> (returned with
    /// <c>get_not_nans=True</c>); for <see cref="GridReduction.Mean"/>, the number of items with a valid channel.
    /// </summary>
    /// <param name="grid">The scores, item-major.</param>
    /// <param name="batch">The number of items B; at least 1.</param>
    /// <param name="channels">The number of channels C; at least 1.</param>
    /// <param name="reduction">The reduction.</param>
    /// <returns>One count per reduced value, shaped as <see cref="Reduce"/>'s result (0 or 1 per entry for <see cref="GridReduction.None"/>).</returns>
    /// <exception cref="ArgumentException">The grid does not hold B·C values, or the reduction is unknown.</exception>
    public static double[] CountNotNans(ReadOnlySpan<double> grid, int batch, int channels, GridReduction reduction)
    {
        Validate(grid, batch, channels);
        switch (reduction)
        {
            case GridReduction.None:
            {
                var result = new double[grid.Length];
                for (int i = 0; i < grid.Length; i++)
                {
                    result[i] = double.IsNaN(grid[i]) ? 0 : 1;
                }

                return result;
            }

            case GridReduction.Mean:
            {
                double[] perItem = CountNotNans(grid, batch, channels, GridReduction.MeanChannel);
                int items = 0;
                foreach (double n in perItem)
                {
                    items += n > 0 ? 1 : 0;
                }

                return [items];
            }

            case GridReduction.Sum:
                return [Count(grid, channels, 0, 0, batch, channels)];
            case GridReduction.MeanBatch:
            case GridReduction.SumBatch:
            {
                var result = new double[channels];
                for (int c = 0; c < channels; c++)
                {
                    result[c] = Count(grid, channels, 0, c, batch, c + 1);
                }

                return result;
            }

            case GridReduction.MeanChannel:
            case GridReduction.SumChannel:
            {
                var result = new double[batch];
                for (int b = 0; b < batch; b++)
                {
                    result[b] = Count(grid, channels, b, 0, b + 1, channels);
                }

                return result;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown reduction; use a GridReduction member.");
        }
    }

    /// <summary>The sum (or mean, 0 when empty) of the non-NaN entries of the block [b0, b1) × [c0, c1).</summary>
    private static double Fold(ReadOnlySpan<double> grid, int channels, int b0, int c0, int b1, int c1, bool mean)
    {
        double sum = 0;
        int n = 0;
        for (int b = b0; b < b1; b++)
        {
            for (int c = c0; c < c1; c++)
            {
                double v = grid[(b * channels) + c];
                if (!double.IsNaN(v))
                {
                    sum += v;
                    n++;
                }
            }
        }

        return mean ? (n == 0 ? 0 : sum / n) : sum;
    }

    private static int Count(ReadOnlySpan<double> grid, int channels, int b0, int c0, int b1, int c1)
    {
        int n = 0;
        for (int b = b0; b < b1; b++)
        {
            for (int c = c0; c < c1; c++)
            {
                n += double.IsNaN(grid[(b * channels) + c]) ? 0 : 1;
            }
        }

        return n;
    }

    private static void Validate(ReadOnlySpan<double> grid, int batch, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (grid.Length != (long)batch * channels)
        {
            throw new ArgumentException(
                $"grid holds {grid.Length} values but batch ({batch}) × channels ({channels}) is {(long)batch * channels}; pass the [B,C] scores item-major.", nameof(grid));
        }
    }
}
