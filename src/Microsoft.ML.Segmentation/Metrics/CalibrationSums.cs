using System;
using System.Globalization;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// The exact form of one group's bins: counts, and confidence and accuracy sums in fixed point (units of 2⁻⁶⁴, in
/// 128-bit integers). Integer sums are associative, so bins added in any order — pixel by pixel, or shard sums merged —
/// are equal bit for bit; a value's own rounding to 2⁻⁶⁴ (below 1e-19) is the only loss, and it is the same on every path.
/// </summary>
internal sealed class CalibrationSums
{
    /// <summary>2⁶⁴: one unit of the fixed-point sums is 1/<see cref="Scale"/>.</summary>
    private const double Scale = 18446744073709551616.0;

    public CalibrationSums(int bins)
    {
        Count = new long[bins];
        Confidence = new Int128[bins];
        Accuracy = new Int128[bins];
    }

    public long[] Count { get; }

    public Int128[] Confidence { get; }

    public Int128[] Accuracy { get; }

    public int Length => Count.Length;

    /// <summary>A value in fixed point: value·2⁶⁴ (exact for a double scaled by a power of two), truncated toward zero.</summary>
    public static Int128 ToFixed(double value) => (Int128)(value * Scale);

    public static double ToDouble(Int128 value) => (double)value / Scale;

    public static string Format(Int128 value) => value.ToString(CultureInfo.InvariantCulture);

    public static Int128 Parse(string text) => Int128.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public void Add(int bin, double confidence, double accuracy)
    {
        Count[bin]++;
        Confidence[bin] += ToFixed(confidence);
        Accuracy[bin] += ToFixed(accuracy);
    }

    public void Add(CalibrationSums other)
    {
        if (other.Length != Length)
        {
            throw new ArgumentException($"Cannot add {other.Length} calibration bins to {Length}.", nameof(other));
        }

        for (int b = 0; b < Length; b++)
        {
            Count[b] += other.Count[b];
            Confidence[b] += other.Confidence[b];
            Accuracy[b] += other.Accuracy[b];
        }
    }

    public CalibrationSums Copy()
    {
        var copy = new CalibrationSums(Length);
        copy.Add(this);
        return copy;
    }

    /// <summary>The bins as doubles.</summary>
    public CalibrationBin[] ToBins()
    {
        var result = new CalibrationBin[Length];
        for (int b = 0; b < Length; b++)
        {
            result[b] = new CalibrationBin(Count[b], ToDouble(Confidence[b]), ToDouble(Accuracy[b]));
        }

        return result;
    }
}
