using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Losses;

/// <summary>Per-channel parameters given as one shared value or one per channel.</summary>
internal static class ChannelParameters
{
    public static double[]? Validate(IReadOnlyList<double>? values, string paramName)
    {
        if (values is null)
        {
            return null;
        }

        if (values.Count == 0 || values.Any(v => !(v >= 0) || double.IsInfinity(v)))
        {
            throw new ArgumentException("Give one value or one per channel, each finite and ≥ 0.", paramName);
        }

        return values.ToArray();
    }

    public static double At(double[]? values, int channel, int channels, double fallback, string paramName)
    {
        if (values is null)
        {
            return fallback;
        }

        if (values.Length == 1)
        {
            return values[0];
        }

        if (values.Length != channels)
        {
            throw new ArgumentException($"{values.Length} values were given for {channels} channels; give one value or one per channel.", paramName);
        }

        return values[channel];
    }
}
