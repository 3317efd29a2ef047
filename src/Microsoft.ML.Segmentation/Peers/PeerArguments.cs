using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>Reads the peers' string-valued parameters; an unknown value is an error naming the parameter and the choices.</summary>
internal static class PeerArguments
{
    public static T Choose<T>(string? value, string parameter, IReadOnlyDictionary<string, T> choices)
    {
        if (value is not null && choices.TryGetValue(value, out T? chosen))
        {
            return chosen!;
        }

        throw new ArgumentException(
            $"{parameter} '{value ?? "null"}' is not one of {string.Join(", ", choices.Keys)}.", parameter);
    }

    public static GridReduction ParseMonaiReduction(string reduction) => Choose(reduction, "reduction", MonaiReductions);

    public static DistanceMetric ParseDistanceMetric(string distanceMetric) => Choose(distanceMetric, "distanceMetric", DistanceMetrics);

    /// <summary>Throws <see cref="NotSupportedException"/> for a peer parameter set to a value SegML cannot reproduce.</summary>
    public static void Unsupported(bool condition, string parameter, string why)
    {
        if (condition)
        {
            throw new NotSupportedException($"{parameter}: {why}");
        }
    }

    /// <summary>Drops channel 0 as MONAI and torchmetrics do for <c>include_background=False</c> (MONAI keeps a single channel).</summary>
    public static IReadOnlyList<ConfusionCounts> WithoutBackground(IReadOnlyList<ConfusionCounts> images, bool includeBackground, bool keepSingleChannel)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("There are no counts to score; pass the counts of at least one image.", nameof(images));
        }

        if (includeBackground || (keepSingleChannel && images[0].ClassCount == 1))
        {
            return images;
        }

        if (images[0].ClassCount == 1)
        {
            throw new ArgumentException("includeBackground is false but the counts have a single class; there is nothing left to score.", nameof(images));
        }

        var result = new ConfusionCounts[images.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = images[i].FromClass(1);
        }

        return result;
    }

    private static readonly Dictionary<string, GridReduction> MonaiReductions = new(StringComparer.Ordinal)
    {
        ["none"] = GridReduction.None,
        ["mean"] = GridReduction.Mean,
        ["sum"] = GridReduction.Sum,
        ["mean_batch"] = GridReduction.MeanBatch,
        ["sum_batch"] = GridReduction.SumBatch,
        ["mean_channel"] = GridReduction.MeanChannel,
        ["sum_channel"] = GridReduction.SumChannel,
    };

    private static readonly Dictionary<string, DistanceMetric> DistanceMetrics = new(StringComparer.Ordinal)
    {
        ["euclidean"] = Kernels.DistanceMetric.Euclidean,
        ["taxicab"] = Kernels.DistanceMetric.Taxicab,
        ["chessboard"] = Kernels.DistanceMetric.Chessboard,
    };
}
