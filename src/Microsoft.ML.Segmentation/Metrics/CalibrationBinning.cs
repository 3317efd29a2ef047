using System;
using System.Linq;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Which calibration bin a confidence falls in: n+1 increasing edges e₀ … eₙ and the rule at an edge. Peers differ only
/// here: MONAI bins by the upper edges e₁ … eₙ (a value on an edge goes down with <c>right=False</c>, up with
/// <c>right=True</c>) and clamps everything above eₙ into the last bin; torchmetrics bins [eᵢ, eᵢ₊₁) and gives a
/// confidence of exactly 1 its own extra bin.
/// </summary>
/// <remarks>
/// Edges are doubles; to reproduce a peer that builds them in float32 (<c>torch.linspace</c> in the scores' dtype), build
/// them with <see cref="Linspace"/> in float32 and pass float32 confidences widened to double: the comparison of widened
/// floats equals the float comparison. Thread safety: immutable; safe to share.
/// </remarks>
public sealed class CalibrationBinning
{
    private readonly double[] _edges;

    /// <summary>Creates a binning from explicit edges.</summary>
    /// <param name="edges">n+1 finite, strictly increasing edges; n ≥ 1.</param>
    /// <param name="valueOnEdgeGoesUp">Whether a confidence equal to an inner edge belongs to the bin above it ([l, r) bins, MONAI <c>right=True</c>, torchmetrics); false: the bin below ((l, r] bins, MONAI's default <c>right=False</c>).</param>
    /// <param name="separateTopBin">Whether confidences ≥ eₙ get an extra bin n (torchmetrics: a confidence of exactly 1); false: they join bin n−1 (MONAI's clamp).</param>
    /// <exception cref="ArgumentException">Fewer than two edges, or edges not finite and strictly increasing.</exception>
    public CalibrationBinning(double[] edges, bool valueOnEdgeGoesUp, bool separateTopBin)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Length < 2)
        {
            throw new ArgumentException($"A binning needs at least two edges (one bin); {edges.Length} were given.", nameof(edges));
        }

        for (int i = 0; i < edges.Length; i++)
        {
            if (!double.IsFinite(edges[i]) || (i > 0 && edges[i] <= edges[i - 1]))
            {
                throw new ArgumentException($"Edges must be finite and strictly increasing; edge {i} is {edges[i]}.", nameof(edges));
            }
        }

        _edges = (double[])edges.Clone();
        ValueOnEdgeGoesUp = valueOnEdgeGoesUp;
        SeparateTopBin = separateTopBin;
    }

    /// <summary>The edges e₀ … eₙ (a copy).</summary>
    public double[] Edges => (double[])_edges.Clone();

    /// <summary>The number of equal-width intervals n (the bins between the edges).</summary>
    public int Intervals => _edges.Length - 1;

    /// <summary>The number of bins an accumulator holds: n, or n+1 with <see cref="SeparateTopBin"/>.</summary>
    public int BinCount => Intervals + (SeparateTopBin ? 1 : 0);

    /// <summary>Whether a confidence on an inner edge goes to the bin above it.</summary>
    public bool ValueOnEdgeGoesUp { get; }

    /// <summary>Whether confidences at or above the last edge get a bin of their own.</summary>
    public bool SeparateTopBin { get; }

    /// <summary>
    /// SegML's default: n equal bins [k/n, (k+1)/n) over [0, 1] in double, 1.0 (and anything above) in the last bin,
    /// anything below 0 in the first: the usual ECE binning (Guo et al. 2017) with the top bin closed.
    /// </summary>
    /// <param name="bins">The number of bins n; at least 1.</param>
    /// <returns>The binning.</returns>
    public static CalibrationBinning Uniform(int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        return new CalibrationBinning(Linspace(0, 1, bins + 1, float32: false), valueOnEdgeGoesUp: true, separateTopBin: false);
    }

    /// <summary>
    /// <c>torch.linspace(start, end, steps)</c> as PyTorch's CPU kernel computes it: step = (end − start)/(steps − 1), the
    /// first half start + step·i and the second half end − step·(steps − 1 − i), every operation in float32 when
    /// <paramref name="float32"/> (the tensor's dtype), else in double.
    /// </summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The last value.</param>
    /// <param name="steps">The number of values; at least 2.</param>
    /// <param name="float32">Whether to compute (and round every step) in float32.</param>
    /// <returns>The values, widened to double.</returns>
    public static double[] Linspace(double start, double end, int steps, bool float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        var result = new double[steps];
        int halfway = steps / 2;
        if (float32)
        {
            float s = (float)start, e = (float)end;
            float step = (e - s) / (steps - 1);
            for (int i = 0; i < steps; i++)
            {
                result[i] = i < halfway ? s + (step * i) : e - (step * (steps - 1 - i));
            }
        }
        else
        {
            double step = (end - start) / (steps - 1);
            for (int i = 0; i < steps; i++)
            {
                result[i] = i < halfway ? start + (step * i) : end - (step * (steps - 1 - i));
            }
        }

        return result;
    }

    /// <summary>The bin of <paramref name="confidence"/>, in 0..<see cref="BinCount"/>−1.</summary>
    /// <param name="confidence">A confidence; values outside the edges go to the first or last bin.</param>
    /// <returns>The bin index.</returns>
    /// <exception cref="ArgumentException">The confidence is NaN (it has no bin).</exception>
    public int BinOf(double confidence)
    {
        if (double.IsNaN(confidence))
        {
            throw new ArgumentException("A NaN confidence has no calibration bin; check the scores for NaN.", nameof(confidence));
        }

        // Count the upper edges e₁ … eₙ below the value (or at it, when a value on an edge goes up): a binary search.
        int lo = 1, hi = _edges.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            bool below = ValueOnEdgeGoesUp ? _edges[mid] <= confidence : _edges[mid] < confidence;
            if (below)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        int bin = lo - 1;
        return SeparateTopBin ? bin : Math.Min(bin, Intervals - 1);
    }

    /// <summary>Whether two binnings put every confidence in the same bin (same edges and rules).</summary>
    /// <param name="other">The other binning.</param>
    /// <returns>True when they are the same.</returns>
    public bool SameAs(CalibrationBinning other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ValueOnEdgeGoesUp == other.ValueOnEdgeGoesUp && SeparateTopBin == other.SeparateTopBin && _edges.SequenceEqual(other._edges);
    }
}
