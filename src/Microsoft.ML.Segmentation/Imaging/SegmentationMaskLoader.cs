using System;
using System.Collections.Generic;
using System.IO;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Reads segmentation masks (index, palette, colour-coded or binary; PNG and every other format
/// <see cref="SegmentationImageLoader"/> reads) into class-index label maps, optionally brought to the same
/// <see cref="ImageGeometry"/> as their image.
/// </summary>
/// <remarks>
/// Masks are resized nearest-neighbour only (<see cref="MaskGeometry"/>), after the classes are decoded, so no new
/// label is ever invented; padding takes <see cref="MaskOptions.IgnoreIndex"/>. A palette PNG read with
/// <see cref="MaskFormat.Index"/> gives the palette index of each pixel, whatever the colours. The loader is immutable
/// after construction and safe to share between threads.
/// <para>Thread safety: immutable once constructed (the options are copied); loads may run on several threads at
/// once.</para>
/// </remarks>
public sealed class SegmentationMaskLoader
{
    private readonly MaskOptions _options;

    /// <summary>Creates a loader. The options are copied; later changes to them have no effect.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults (index masks, ignore index 255).</param>
    /// <exception cref="ArgumentException">The options contradict each other (see the message).</exception>
    public SegmentationMaskLoader(MaskOptions? options = null)
    {
        options ??= new MaskOptions();
        _options = options.Clone();
        ImageDecoding.CheckMaxPixels(_options.MaxPixels, nameof(options));
        if (_options.ClassCount is int classes && classes < 1)
        {
            throw new ArgumentException($"ClassCount ({classes}) must be ≥ 1, or null to leave values unchecked.", nameof(options));
        }

        if (_options.IgnoreIndex is int ignore && (ignore < 0 || ignore < (_options.ClassCount ?? 0)))
        {
            throw new ArgumentException($"IgnoreIndex ({ignore}) must be ≥ 0 and lie outside classes 0..{(_options.ClassCount ?? 1) - 1}; use 255.", nameof(options));
        }

        if (_options.Format == MaskFormat.Color && _options.ColorTable is null)
        {
            throw new ArgumentException("MaskFormat.Color needs a ColorTable, e.g. Palettes.PascalVoc or Palettes.Cityscapes.", nameof(options));
        }

        if (_options.UnknownColorsAsIgnore && _options.IgnoreIndex is null)
        {
            throw new ArgumentException("UnknownColorsAsIgnore needs an IgnoreIndex to map unknown colours to; set IgnoreIndex (e.g. 255).", nameof(options));
        }

        if (!Enum.IsDefined(_options.Format))
        {
            throw new ArgumentException($"Format ({_options.Format}) is not a known {nameof(MaskFormat)}.", nameof(options));
        }
    }

    /// <summary>Label written into padding: the ignore index, or 0 when there is none.</summary>
    public int PaddingLabel => _options.IgnoreIndex ?? 0;

    /// <summary>Loads a mask file at its own size.</summary>
    /// <param name="path">The mask file.</param>
    /// <returns>The label map.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">A value is outside the classes and not the ignore index, a colour is unknown, or an index mask is in colour.</exception>
    public LabelMap Load(string path) => MaskDecoder.Decode(ImageDecoding.ReadFile(path, nameof(path)), path, _options);

    /// <summary>Loads a mask from a stream (read from its current position to the end) at its own size.</summary>
    /// <param name="stream">A readable stream holding an encoded mask.</param>
    /// <returns>The label map.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">A value is outside the classes and not the ignore index, or a colour is unknown.</exception>
    public LabelMap Load(Stream stream) => MaskDecoder.Decode(ImageDecoding.ReadStream(stream, nameof(stream)), ImageDecoding.StreamSource, _options);

    /// <summary>Loads an encoded mask from memory at its own size.</summary>
    /// <param name="data">The encoded mask (a whole file).</param>
    /// <returns>The label map.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">A value is outside the classes and not the ignore index, or a colour is unknown.</exception>
    public LabelMap Load(ReadOnlySpan<byte> data) => MaskDecoder.Decode(data, ImageDecoding.BytesSource, _options);

    /// <summary>Loads a mask file into the geometry its image was loaded with (resize nearest-neighbour, pad with the ignore index).</summary>
    /// <param name="path">The mask file.</param>
    /// <param name="geometry">The image's geometry, from <see cref="SegmentationImageLoader"/> or <see cref="ImageGeometry.Compute"/>.</param>
    /// <returns>The label map at the output size.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">The mask's size differs from the image's (with <see cref="MaskOptions.RequireSameSize"/>; a <see cref="MaskSizeMismatchException"/>), or a value is invalid (an <see cref="InvalidMaskPixelException"/> names the pixel).</exception>
    public LabelMap Load(string path, ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return Fit(Load(path), path, geometry, nameof(path));
    }

    /// <summary>Loads a mask file into the geometry its image was loaded with, into a caller buffer.</summary>
    /// <param name="path">The mask file.</param>
    /// <param name="geometry">The image's geometry.</param>
    /// <param name="destination">Receives exactly <c>OutputHeight · OutputWidth</c> labels.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">The sizes disagree, <paramref name="destination"/> has the wrong length, or a value is invalid.</exception>
    public void Load(string path, ImageGeometry geometry, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Fit(Load(path), path, geometry, destination, nameof(path));
    }

    /// <summary>Loads an encoded mask from memory into the geometry its image was loaded with.</summary>
    /// <param name="data">The encoded mask (a whole file).</param>
    /// <param name="geometry">The image's geometry.</param>
    /// <returns>The label map at the output size.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException">The sizes disagree (with <see cref="MaskOptions.RequireSameSize"/>; a <see cref="MaskSizeMismatchException"/>) or a value is invalid (an <see cref="InvalidMaskPixelException"/>).</exception>
    public LabelMap Load(ReadOnlySpan<byte> data, ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return Fit(Load(data), ImageDecoding.BytesSource, geometry, nameof(data));
    }

    /// <summary>
    /// <see cref="Load(string)"/> or <see cref="Load(string, ImageGeometry)"/> for a transform that copies the labels
    /// out before its next row: decodes into <paramref name="reuse"/> (its last result, overwritten) where it has exactly
    /// the pixel count needed, so a dataset of one image size allocates its label arrays once.
    /// </summary>
    internal LabelMap LoadReusing(string path, ImageGeometry? geometry, int[]? reuse)
    {
        LabelMap mask = MaskDecoder.Decode(ImageDecoding.ReadFile(path, nameof(path)), path, _options, reuse);
        return geometry is null ? mask : Fit(mask, path, geometry, nameof(path), ReferenceEquals(mask.Labels, reuse) ? null : reuse);
    }

    /// <summary>
    /// The decoded mask in <paramref name="geometry"/>: itself where the geometry leaves it as it is (no second array, no
    /// copy), else resampled into <paramref name="reuse"/> when it has exactly the output's pixel count.
    /// </summary>
    private LabelMap Fit(LabelMap mask, string source, ImageGeometry geometry, string paramName, int[]? reuse = null)
    {
        CheckSize(mask, source, geometry, paramName);
        if (MaskGeometry.LeavesAsIs(geometry, mask.Width, mask.Height))
        {
            return mask;
        }

        int pixels = geometry.OutputWidth * geometry.OutputHeight;
        int[] labels = reuse?.Length == pixels ? reuse : new int[pixels];
        MaskGeometry.Apply(mask.Labels, mask.Width, mask.Height, geometry, PaddingLabel, labels);
        return new LabelMap(labels, geometry.OutputWidth, geometry.OutputHeight);
    }

    private void Fit(LabelMap mask, string source, ImageGeometry geometry, Span<int> destination, string paramName)
    {
        CheckSize(mask, source, geometry, paramName);
        MaskGeometry.Apply(mask.Labels, mask.Width, mask.Height, geometry, PaddingLabel, destination);
    }

    private void CheckSize(LabelMap mask, string source, ImageGeometry geometry, string paramName)
    {
        if (_options.RequireSameSize && (mask.Width != geometry.OriginalWidth || mask.Height != geometry.OriginalHeight))
        {
            throw new MaskSizeMismatchException(source, mask.Width, mask.Height, geometry.OriginalWidth, geometry.OriginalHeight, paramName);
        }
    }

    /// <summary>Loads several mask files into the geometries of their images, as one batch <c>[N · H · W]</c>.</summary>
    /// <param name="paths">The mask files.</param>
    /// <param name="geometries">The geometry of each image, in the same order; all with the same output size.</param>
    /// <returns>The labels of all masks, image after image.</returns>
    /// <exception cref="ArgumentException">The counts differ, the list is empty, the output sizes differ, or a mask is invalid.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="MaskOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public int[] LoadBatch(IReadOnlyList<string> paths, IReadOnlyList<ImageGeometry> geometries)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(geometries);
        if (paths.Count == 0 || paths.Count != geometries.Count)
        {
            throw new ArgumentException($"paths ({paths.Count}) and geometries ({geometries.Count}) must have the same, non-zero count.", nameof(geometries));
        }

        int length = geometries[0].OutputWidth * geometries[0].OutputHeight;
        var labels = new int[checked(length * paths.Count)];
        for (int i = 0; i < paths.Count; i++)
        {
            ImageGeometry geometry = geometries[i];
            if (geometry.OutputWidth != geometries[0].OutputWidth || geometry.OutputHeight != geometries[0].OutputHeight)
            {
                throw new ArgumentException($"geometries[{i}] has output {geometry.OutputWidth}x{geometry.OutputHeight} but geometries[0] {geometries[0].OutputWidth}x{geometries[0].OutputHeight}; a batch needs one size.", nameof(geometries));
            }

            Load(paths[i], geometry, labels.AsSpan(i * length, length));
        }

        return labels;
    }
}
