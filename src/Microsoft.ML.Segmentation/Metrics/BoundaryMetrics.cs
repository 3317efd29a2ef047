using System;

namespace Microsoft.ML.Segmentation.Metrics;

/// <summary>
/// Boundary (surface-distance) metrics of one image and one class: Hausdorff distance and its percentiles, average
/// surface distance, normalised surface Dice and Boundary IoU, for 2-D images or N-D volumes.
/// </summary>
/// <remarks>
/// Masks are byte spans, row-major over <c>shape</c> (e.g. <c>[height, width]</c> or <c>[depth, height, width]</c>);
/// any non-zero byte is foreground. For a label map, <see cref="ClassMask"/> selects one class first.
/// The surface of a mask follows MONAI: the foreground elements with at least one face neighbour (a cross-shaped
/// structuring element) in the background or outside the image, i.e. <c>mask XOR binary_erosion(mask)</c> with a zero
/// border. Distances between surfaces come from one distance transform per direction over the bounding box of the
/// two masks (with a margin of one element), so the cost is linear in the number of elements.
/// Empty masks: see <see cref="BoundaryMetricOptions"/>.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static partial class BoundaryMetrics
{
    /// <summary>Writes 1 where <paramref name="labels"/> equals <paramref name="classIndex"/> and 0 elsewhere.</summary>
    /// <param name="labels">A label map.</param>
    /// <param name="classIndex">The class to select.</param>
    /// <param name="mask">Receives the binary mask; as long as <paramref name="labels"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void ClassMask(ReadOnlySpan<int> labels, int classIndex, Span<byte> mask)
    {
        if (mask.Length != labels.Length)
        {
            throw new ArgumentException($"mask length ({mask.Length}) must equal labels length ({labels.Length}); allocate one byte per pixel.", nameof(mask));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            mask[i] = labels[i] == classIndex ? (byte)1 : (byte)0;
        }
    }

    /// <summary>Writes the surface of a mask: 1 on foreground elements with a face neighbour in the background or outside the image.</summary>
    /// <param name="mask">The mask, row-major over <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="edges">Receives the surface mask (0 or 1); as long as <paramref name="mask"/>.</param>
    /// <exception cref="ArgumentException">A length does not match the shape.</exception>
    public static void Edges(ReadOnlySpan<byte> mask, ReadOnlySpan<int> shape, Span<byte> edges)
    {
        int count = Validate(shape, mask.Length, nameof(mask));
        if (edges.Length != count)
        {
            throw new ArgumentException($"edges length ({edges.Length}) must equal the element count ({count}).", nameof(edges));
        }

        SurfaceGeometry.Edges(mask, shape, edges);
    }

    /// <summary>
    /// The directed surface distances from the surface of <paramref name="from"/> to the surface of <paramref name="to"/>:
    /// one distance per surface element of <paramref name="from"/>, in raster order.
    /// </summary>
    /// <param name="from">The mask whose surface elements are measured.</param>
    /// <param name="to">The mask whose surface is the target.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="options">Spacing and metric; null for the defaults.</param>
    /// <returns>
    /// The distances; empty when both masks are empty. When only <paramref name="to"/> is empty, +∞ for each surface
    /// element of <paramref name="from"/>; when only <paramref name="from"/> is empty, +∞ for each surface element of
    /// <paramref name="to"/> (MONAI's <c>get_surface_distance</c>).
    /// </returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or a spacing is invalid.</exception>
    public static double[] SurfaceDistances(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<int> shape, BoundaryMetricOptions? options = null)
    {
        Validate(shape, from.Length, nameof(from));
        Validate(shape, to.Length, nameof(to));
        return SurfaceGeometry.Distances(from, to, shape, options ?? new BoundaryMetricOptions(), bothDirections: false).FromTo;
    }

    /// <summary>
    /// The Hausdorff distance between the surfaces of a prediction and a truth: the maximum (or
    /// <see cref="BoundaryMetricOptions.Percentile"/>) of each directed distance set, then the larger of the two
    /// (prediction → truth only when <see cref="BoundaryMetricOptions.Directed"/>), as MONAI's <c>compute_hausdorff_distance</c>.
    /// </summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="options">Spacing, metric, percentile, direction; null for the defaults.</param>
    /// <returns>The distance; +∞ (NaN with a percentile) when one mask is empty; NaN when both are.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or an option is invalid.</exception>
    public static double HausdorffDistance(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, BoundaryMetricOptions? options = null)
    {
        options ??= new BoundaryMetricOptions();
        ValidatePair(prediction, truth, shape);
        if (options.Percentile is double p && !(p >= 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(options), p, $"options.Percentile ({p}) must lie in 0..100; use 95 for HD95 or null for the maximum.");
        }

        (double[] predToTruth, double[]? truthToPred) = SurfaceGeometry.Distances(prediction, truth, shape, options, bothDirections: !options.Directed);
        double forward = Summarize(predToTruth, options.Percentile);
        // NaN on either side propagates, as torch.maximum does.
        return truthToPred is null ? forward : Math.Max(forward, Summarize(truthToPred, options.Percentile));
    }

    /// <summary>
    /// The average surface distance: the mean of the prediction → truth surface distances, or of both directions
    /// together when <see cref="BoundaryMetricOptions.Symmetric"/> (MONAI's <c>compute_average_surface_distance</c>).
    /// </summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="options">Spacing, metric, symmetry; null for the defaults.</param>
    /// <returns>The mean distance; +∞ when one mask is empty; NaN when both are.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or an option is invalid.</exception>
    public static double AverageSurfaceDistance(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, BoundaryMetricOptions? options = null)
    {
        options ??= new BoundaryMetricOptions();
        ValidatePair(prediction, truth, shape);
        (double[] predToTruth, double[]? truthToPred) = SurfaceGeometry.Distances(prediction, truth, shape, options, bothDirections: options.Symmetric);
        int n = predToTruth.Length + (truthToPred?.Length ?? 0);
        if (n == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        foreach (double d in predToTruth)
        {
            sum += d;
        }

        foreach (double d in truthToPred ?? [])
        {
            sum += d;
        }

        return sum / n;
    }

    /// <summary>
    /// The normalised surface Dice (surface Dice at a tolerance, Nikolov et al. 2021): the fraction of the surface
    /// elements of both masks that lie within <paramref name="tolerance"/> of the other surface (MONAI's
    /// <c>compute_surface_dice</c> without sub-voxels).
    /// </summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="tolerance">The largest distance that counts as a match (inclusive). Range: ≥ 0.</param>
    /// <param name="options">Spacing and metric; null for the defaults.</param>
    /// <returns>A value in 0..1; 0 when one mask is empty; NaN when both are.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or an option is invalid.</exception>
    public static double NormalizedSurfaceDice(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, double tolerance, BoundaryMetricOptions? options = null)
    {
        if (!(tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"tolerance ({tolerance}) must be 0 or more, in the units of the spacing.");
        }

        ValidatePair(prediction, truth, shape);
        (double[] a, double[]? b) = SurfaceGeometry.Distances(prediction, truth, shape, options ?? new BoundaryMetricOptions(), bothDirections: true);
        int total = a.Length + b!.Length;
        if (total == 0)
        {
            return double.NaN;
        }

        int within = 0;
        foreach (double d in a)
        {
            within += d <= tolerance ? 1 : 0;
        }

        foreach (double d in b)
        {
            within += d <= tolerance ? 1 : 0;
        }

        return (double)within / total;
    }

    /// <summary>
    /// The normalised surface Dice at <see cref="BoundaryMetricOptions.SurfaceTolerance"/>, with the spacing and metric
    /// of <paramref name="options"/>; the same as
    /// <see cref="NormalizedSurfaceDice(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{int}, double, BoundaryMetricOptions?)"/>
    /// with <c>options.SurfaceTolerance</c> as the tolerance.
    /// </summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="truth">The ground-truth mask.</param>
    /// <param name="shape">The size of each axis, each at least 1.</param>
    /// <param name="options">Tolerance, spacing and metric.</param>
    /// <returns>A value in 0..1; 0 when one mask is empty; NaN when both are.</returns>
    /// <exception cref="ArgumentException">A length does not match the shape, or an option is invalid.</exception>
    public static double NormalizedSurfaceDice(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape, BoundaryMetricOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return NormalizedSurfaceDice(prediction, truth, shape, options.SurfaceTolerance, options);
    }

    /// <summary>
    /// The quantile of a set of values with linear interpolation between order statistics, as <c>torch.quantile</c>
    /// (a +∞ among the interpolated pair gives NaN, as there).
    /// </summary>
    /// <param name="values">The values; not modified.</param>
    /// <param name="q">The quantile in 0..1.</param>
    /// <returns>The quantile; NaN for an empty set.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside 0..1.</exception>
    internal static double Quantile(ReadOnlySpan<double> values, double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, $"q ({q}) must lie in 0..1; use 0.95 for the 95th percentile.");
        }

        if (values.IsEmpty)
        {
            return double.NaN;
        }

        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        double position = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(position), hi = (int)Math.Ceiling(position);
        double w = position - lo;
        return sorted[lo] + (w * (sorted[hi] - sorted[lo]));
    }

    private static double Summarize(double[] distances, double? percentile)
    {
        if (distances.Length == 0)
        {
            return double.NaN;
        }

        if (percentile is double p)
        {
            return Quantile(distances, p / 100);
        }

        double max = double.NegativeInfinity;
        foreach (double d in distances)
        {
            max = Math.Max(max, d);
        }

        return max;
    }

    private static void ValidatePair(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, ReadOnlySpan<int> shape)
    {
        Validate(shape, prediction.Length, nameof(prediction));
        Validate(shape, truth.Length, nameof(truth));
    }

    private static int Validate(ReadOnlySpan<int> shape, int length, string paramName)
    {
        if (shape.IsEmpty)
        {
            throw new ArgumentException("shape must have at least one axis; pass [height, width] for an image.", nameof(shape));
        }

        long count = 1;
        foreach (int n in shape)
        {
            if (n < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), n, $"Every axis of shape must be at least 1 (got {n}); masks cannot be empty.");
            }

            count *= n;
        }

        if (length != count)
        {
            throw new ArgumentException(
                $"{paramName} length ({length}) must equal the element count of shape [{string.Join(", ", shape.ToArray())}] ({count}); pass one byte per element.",
                paramName);
        }

        return (int)count;
    }
}
