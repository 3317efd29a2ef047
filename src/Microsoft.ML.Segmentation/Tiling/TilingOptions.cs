using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Sliding-window (tiled) inference settings, with the meaning and defaults of MONAI 1.5.0's
/// <c>sliding_window_inference</c>: tile size (<c>roi_size</c>), overlap, blend (<c>mode</c>), sigma scale, tiles per
/// predictor run (<c>sw_batch_size</c>) and the padding value (<c>cval</c>) for images smaller than a tile.
/// </summary>
/// <remarks>
/// Per-axis lists are in spatial-axis order (for an image <c>[N,C,H,W]</c>: height, then width). A list of one value
/// applies to every axis, as MONAI repeats a scalar. A plain settings object, not thread-safe.
/// </remarks>
public sealed class TilingOptions
{
    private IList<int> _tileSize = new List<int>();
    private IList<double> _overlap = new List<double> { 0.25 };
    private IList<double> _sigmaScale = new List<double> { 0.125 };

    /// <summary>
    /// The window size per spatial axis (MONAI <c>roi_size</c>). An entry of 0 or less, or a missing entry when the list
    /// is empty, means the image's size on that axis (one window spans the axis). One entry applies to every axis.
    /// An image smaller than the tile on an axis is padded with <see cref="PaddingValue"/> and the result cropped back.
    /// Default: empty (the whole image in one window). Setting <see langword="null"/> empties the list.
    /// </summary>
    public IList<int> TileSize
    {
        get => _tileSize;
        set => _tileSize = value ?? new List<int>();
    }

    /// <summary>
    /// The fraction of a tile that neighbouring windows share, per axis or one for all; each in [0, 1). The step between
    /// window starts is <c>max(int(tile × (1 − overlap)), 1)</c>, or the tile itself where the tile equals the image.
    /// Default: one value, 0.25 (MONAI's). Setting <see langword="null"/> restores the default.
    /// </summary>
    public IList<double> Overlap
    {
        get => _overlap;
        set => _overlap = value ?? new List<double> { 0.25 };
    }

    /// <summary>How overlapping windows are weighted. Default: <see cref="TileBlend.Constant"/> (MONAI's).</summary>
    public TileBlend Blend { get; set; } = TileBlend.Constant;

    /// <summary>
    /// For <see cref="TileBlend.Gaussian"/>: σ = SigmaScale × tile size, per axis or one for all; each finite and above 0.
    /// Ignored for <see cref="TileBlend.Constant"/>. Default: one value, 0.125 (MONAI's). Setting <see langword="null"/>
    /// restores the default.
    /// </summary>
    public IList<double> SigmaScale
    {
        get => _sigmaScale;
        set => _sigmaScale = value ?? new List<double> { 0.125 };
    }

    /// <summary>
    /// How many windows the predictor receives per call (MONAI <c>sw_batch_size</c>); windows are taken batch item by
    /// batch item, so one call may hold windows of two images. Default: 1 (MONAI's <c>SlidingWindowInferer</c> default,
    /// the least memory); 1 or more. Larger values trade memory for fewer, larger model runs.
    /// </summary>
    public int TilesPerRun { get; set; } = 1;

    /// <summary>
    /// The value of the pixels added around an image smaller than a tile (MONAI <c>cval</c> with constant padding): an
    /// axis short by d pixels gets d/2 (rounded down) before and the rest after. Must be finite. Default: 0.
    /// </summary>
    public float PaddingValue { get; set; }

    /// <summary>A deep copy (the lists are copied).</summary>
    public TilingOptions Clone() => new()
    {
        TileSize = new List<int>(TileSize),
        Overlap = new List<double>(Overlap),
        Blend = Blend,
        SigmaScale = new List<double>(SigmaScale),
        TilesPerRun = TilesPerRun,
        PaddingValue = PaddingValue,
    };

    /// <summary>
    /// Checks every option on its own; <see cref="Validate(int)"/> also checks list lengths against a rank.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Overlap.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Overlap), "TilingOptions.Overlap needs one value or one per spatial axis; it is empty.");
        }

        foreach (double o in Overlap)
        {
            if (!(o >= 0 && o < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Overlap), o, $"TilingOptions.Overlap must be in [0, 1); got {Format(o)}.");
            }
        }

        if (Blend is not (TileBlend.Constant or TileBlend.Gaussian))
        {
            throw new ArgumentOutOfRangeException(nameof(Blend), Blend, $"TilingOptions.Blend must be Constant or Gaussian; got {(int)Blend}.");
        }

        if (SigmaScale.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SigmaScale), "TilingOptions.SigmaScale needs one value or one per spatial axis; it is empty.");
        }

        foreach (double s in SigmaScale)
        {
            if (!(s > 0 && double.IsFinite(s)))
            {
                throw new ArgumentOutOfRangeException(nameof(SigmaScale), s, $"TilingOptions.SigmaScale must be finite and above 0; got {Format(s)}.");
            }
        }

        if (TilesPerRun < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TilesPerRun), TilesPerRun, $"TilingOptions.TilesPerRun must be 1 or more; got {TilesPerRun}.");
        }

        if (!float.IsFinite(PaddingValue))
        {
            throw new ArgumentOutOfRangeException(nameof(PaddingValue), PaddingValue, $"TilingOptions.PaddingValue must be finite; got {Format(PaddingValue)}.");
        }
    }

    /// <summary>Checks every option, and that each per-axis list has 1 or <paramref name="spatialRank"/> entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range or a list has the wrong length; the message names it.</exception>
    public void Validate(int spatialRank)
    {
        if (spatialRank < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spatialRank), spatialRank, "Tiling needs at least one spatial axis.");
        }

        Validate();
        CheckLength(nameof(TileSize), TileSize.Count, spatialRank, allowEmpty: true);
        CheckLength(nameof(Overlap), Overlap.Count, spatialRank, allowEmpty: false);
        CheckLength(nameof(SigmaScale), SigmaScale.Count, spatialRank, allowEmpty: false);
    }

    /// <summary>The value of a one-or-per-axis list on <paramref name="axis"/>.</summary>
    internal static T PerAxis<T>(IList<T> values, int axis) => values.Count == 1 ? values[0] : values[axis];

    /// <summary>The overlap of every axis, for <paramref name="spatialRank"/> axes.</summary>
    internal double[] OverlapPerAxis(int spatialRank) => Enumerable.Range(0, spatialRank).Select(a => PerAxis(Overlap, a)).ToArray();

    /// <summary>The sigma scale of every axis, for <paramref name="spatialRank"/> axes.</summary>
    internal double[] SigmaScalePerAxis(int spatialRank) => Enumerable.Range(0, spatialRank).Select(a => PerAxis(SigmaScale, a)).ToArray();

    /// <summary>The requested tile per axis (0 = the image's size), for <paramref name="spatialRank"/> axes.</summary>
    internal int[] TileSizePerAxis(int spatialRank)
        => Enumerable.Range(0, spatialRank).Select(a => TileSize.Count == 0 ? 0 : PerAxis(TileSize, a)).ToArray();

    private static void CheckLength(string name, int count, int spatialRank, bool allowEmpty)
    {
        if (count == 1 || count == spatialRank || (allowEmpty && count == 0))
        {
            return;
        }

        throw new ArgumentOutOfRangeException(
            name, count, $"TilingOptions.{name} has {count} entries; the image has {spatialRank} spatial axes (give 1 or {spatialRank}{(allowEmpty ? ", or none" : string.Empty)}).");
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
