using System;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>The Lovász extension of the Jaccard loss, the building block of <see cref="LovaszSoftmaxLoss"/> and <see cref="LovaszHingeLoss"/>.</summary>
/// <remarks>Thread safety: stateless; every member is thread-safe.</remarks>
internal static class LovaszExtension
{
    /// <summary>
    /// Computes the weights g of the Lovász extension of the Jaccard loss for ground-truth flags already sorted by
    /// decreasing error: with G foreground pixels in all, <c>J_i = 1 − (G − fg_≤i) / (G + bg_≤i)</c> and
    /// <c>g_i = J_i − J_(i−1)</c>, <c>g_0 = J_0</c>. The extension of errors m sorted decreasingly is <c>Σ_i m_i·g_i</c>.
    /// </summary>
    /// <param name="sortedForeground">Foreground flags in order of decreasing error. With no foreground at all, g = [1, 0, …, 0].</param>
    /// <param name="destination">Receives one weight per flag; at least as long as <paramref name="sortedForeground"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="sortedForeground"/>.</exception>
    public static void JaccardWeights(ReadOnlySpan<bool> sortedForeground, Span<double> destination)
    {
        if (destination.Length < sortedForeground.Length)
        {
            throw new ArgumentException(
                $"destination has {destination.Length} elements but sortedForeground has {sortedForeground.Length}; pass one of at least that length.",
                nameof(destination));
        }

        LovaszKernel.JaccardWeights(sortedForeground, destination);
    }
}
