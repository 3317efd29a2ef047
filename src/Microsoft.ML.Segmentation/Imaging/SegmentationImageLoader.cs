using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Decodes images (PNG, JPEG, BMP, GIF, TGA, WebP, TIFF, PBM) into normalised float tensors for segmentation models,
/// as <see cref="ImageTensorOptions"/> says, and reports the <see cref="ImageGeometry"/> of each image so predicted
/// masks can be mapped back with <see cref="MaskGeometry.Restore(ReadOnlySpan{int}, ImageGeometry)"/>.
/// </summary>
/// <remarks>
/// Hostile files fail with documented exceptions only: <see cref="System.IO.FileNotFoundException"/>,
/// <see cref="System.IO.InvalidDataException"/> (every decoder failure, wrapped, and images over
/// <see cref="ImageTensorOptions.MaxPixels"/>, checked from the header before decoding) and <see cref="ArgumentException"/>.
/// Images are decoded to 8-bit RGB: grayscale becomes three equal channels, alpha is dropped (not composited), the
/// first frame of an animation is used. The loader is immutable after construction and safe to share between threads.
/// <para>Thread safety: immutable once constructed (the options are copied); loads may run on several threads at
/// once.</para>
/// </remarks>
public sealed class SegmentationImageLoader
{
    private const int ChannelCount = 3;
    private readonly ImageTensorOptions _options;
    private readonly PixelNormalization _normalization;
    private readonly IResampler _resampler;

    /// <summary>Creates a loader. The options are copied; later changes to them have no effect.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults (RGB, [0, 1], NCHW, no resizing).</param>
    /// <exception cref="ArgumentException">Mean or Std has a length other than 1 or 3, a std is not &gt; 0, or the padding value is outside [0, 255].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The resize settings are invalid for their mode.</exception>
    public SegmentationImageLoader(ImageTensorOptions? options = null)
    {
        options ??= new ImageTensorOptions();
        _options = options.Clone();
        ImageDecoding.CheckMaxPixels(_options.MaxPixels, nameof(options));
        ImageGeometry.Compute(1, 1, _options); // validates the resize settings
        if (!(_options.PaddingValue >= 0 && _options.PaddingValue <= 255))
        {
            throw new ArgumentException($"PaddingValue ({_options.PaddingValue}) must lie in [0, 255]: it is a raw pixel value; use 0, or 114 for YOLO grey.", nameof(options));
        }

        float scale = _options.ScaleToUnit ? 1f / 255f : 1f;
        var multipliers = new float[ChannelCount];
        var offsets = new float[ChannelCount];
        for (int c = 0; c < ChannelCount; c++)
        {
            // Mean and Std are given in RGB order; output channel c holds RGB channel c, or 2 − c for BGR.
            int rgb = _options.ChannelOrder == ChannelOrder.Bgr ? ChannelCount - 1 - c : c;
            float mean = PerChannel(_options.Mean, rgb, 0f, nameof(ImageTensorOptions.Mean));
            float std = PerChannel(_options.Std, rgb, 1f, nameof(ImageTensorOptions.Std));
            if (!(std > 0) || !float.IsFinite(std))
            {
                throw new ArgumentException($"Std[{rgb}] ({std}) must be a finite value > 0; the ImageNet preset is ImageTensorOptions.ImageNetStd.", nameof(options));
            }

            multipliers[c] = scale / std;
            offsets[c] = -mean / std;
        }

        _normalization = new PixelNormalization(multipliers, offsets, _options.ChannelOrder == ChannelOrder.Bgr);
        _resampler = _options.Resampling switch
        {
            ImageResampling.Bicubic => KnownResamplers.Bicubic,
            ImageResampling.NearestNeighbor => KnownResamplers.NearestNeighbor,
            _ => KnownResamplers.Triangle,
        };
    }

    /// <summary>Number of channels of every tensor this loader writes: 3.</summary>
    public int Channels => ChannelCount;

    /// <summary>Loads one image file into a new tensor <c>[1, 3, H, W]</c> (or NHWC).</summary>
    /// <param name="path">The image file.</param>
    /// <returns>The tensor and the image's geometry.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public ImageTensor Load(string path) => LoadBatch([path]);

    /// <summary>Loads one image from a stream (read from its current position to the end) into a new tensor.</summary>
    /// <param name="stream">A readable stream holding an encoded image.</param>
    /// <returns>The tensor and the image's geometry.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public ImageTensor Load(Stream stream) => LoadData(ImageDecoding.ReadStream(stream, nameof(stream)), ImageDecoding.StreamSource);

    /// <summary>Loads one encoded image from memory into a new tensor.</summary>
    /// <param name="data">The encoded image (a whole file).</param>
    /// <returns>The tensor and the image's geometry.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public ImageTensor Load(ReadOnlySpan<byte> data) => LoadData(data, ImageDecoding.BytesSource);

    /// <summary>Loads one image file into a caller buffer.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="destination">Receives exactly <c>3 · H · W</c> values (its length must be that).</param>
    /// <returns>The image's geometry; its output size is H × W.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public ImageGeometry Load(string path, Span<float> destination) => Write(ImageDecoding.ReadFile(path, nameof(path)), path, destination);

    /// <summary>Loads one image from a stream (read from its current position to the end) into a caller buffer.</summary>
    /// <param name="stream">A readable stream holding an encoded image.</param>
    /// <param name="destination">Receives exactly <c>3 · H · W</c> values.</param>
    /// <returns>The image's geometry.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public ImageGeometry Load(Stream stream, Span<float> destination) => Write(ImageDecoding.ReadStream(stream, nameof(stream)), ImageDecoding.StreamSource, destination);

    /// <summary>Loads one encoded image from memory into a caller buffer.</summary>
    /// <param name="data">The encoded image (a whole file).</param>
    /// <param name="destination">Receives exactly <c>3 · H · W</c> values.</param>
    /// <returns>The image's geometry.</returns>
    /// <exception cref="InvalidDataException">The data is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public ImageGeometry Load(ReadOnlySpan<byte> data, Span<float> destination) => Write(data, ImageDecoding.BytesSource, destination);

    /// <summary>Loads several image files of the same output size into one new tensor <c>[N, 3, H, W]</c> (or NHWC).</summary>
    /// <param name="paths">The image files; at least one.</param>
    /// <returns>The batch tensor and each image's geometry.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> is empty, or an image's output size differs from the first one's (use a fixed-size resize mode).</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public ImageTensor LoadBatch(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("paths is empty; pass at least one image file.", nameof(paths));
        }

        var geometries = new ImageGeometry[paths.Count];
        float[]? data = null;
        int imageLength = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            byte[] bytes = ImageDecoding.ReadFile(paths[i], nameof(paths));
            using Image<Rgb24> image = Decode(bytes, paths[i]);
            ImageGeometry geometry = ImageGeometry.Compute(image.Width, image.Height, _options);
            if (data is null)
            {
                imageLength = ChannelCount * geometry.OutputWidth * geometry.OutputHeight;
                data = new float[checked(imageLength * paths.Count)];
            }

            CheckBatchSize(geometry, geometries[0], paths[i]);
            WriteImage(image, geometry, data.AsSpan(i * imageLength, imageLength));
            geometries[i] = geometry;
        }

        return new ImageTensor(data!, paths.Count, ChannelCount, geometries[0].OutputHeight, geometries[0].OutputWidth, _options.Layout, geometries);
    }

    /// <summary>Loads several image files of the same output size into a caller buffer, image after image.</summary>
    /// <param name="paths">The image files; at least one.</param>
    /// <param name="destination">Receives exactly <c>N · 3 · H · W</c> values.</param>
    /// <returns>Each image's geometry.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> is empty, an output size differs from the first, or <paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public IReadOnlyList<ImageGeometry> LoadBatch(IReadOnlyList<string> paths, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("paths is empty; pass at least one image file.", nameof(paths));
        }

        var geometries = new ImageGeometry[paths.Count];
        int imageLength = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            byte[] bytes = ImageDecoding.ReadFile(paths[i], nameof(paths));
            using Image<Rgb24> image = Decode(bytes, paths[i]);
            ImageGeometry geometry = ImageGeometry.Compute(image.Width, image.Height, _options);
            if (i == 0)
            {
                imageLength = ChannelCount * geometry.OutputWidth * geometry.OutputHeight;
                if ((long)imageLength * paths.Count != destination.Length)
                {
                    throw new ArgumentException(
                        $"destination has length {destination.Length} but {paths.Count} images of 3x{geometry.OutputHeight}x{geometry.OutputWidth} need {(long)imageLength * paths.Count}.",
                        nameof(destination));
                }
            }

            CheckBatchSize(geometry, geometries[0], paths[i]);
            WriteImage(image, geometry, destination.Slice(i * imageLength, imageLength));
            geometries[i] = geometry;
        }

        return geometries;
    }

    /// <summary>
    /// Computes the geometry an image file would load with, from its header alone (size and EXIF orientation), without
    /// decoding pixels: use it to size buffers before <see cref="Load(string, Span{float})"/>.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <returns>The geometry <see cref="Load(string)"/> would report.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a recognisable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public ImageGeometry Measure(string path)
    {
        byte[] bytes = ImageDecoding.ReadFile(path, nameof(path));
        (int width, int height) = ImageDecoding.Identify(bytes, path, _options.AutoOrient, _options.MaxPixels);
        return ImageGeometry.Compute(width, height, _options);
    }

    /// <summary>
    /// Decodes one image file and keeps it as 8-bit RGB pixels, for tiled inference of images too large for a float
    /// tensor: <see cref="DecodedImage.ReadRegion"/> normalises any region as <see cref="Load(string)"/> would. The same
    /// guards apply as to every load (the pixel limit from the header before decoding, truncated data, EXIF orientation,
    /// first frame only).
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <returns>The decoded image; dispose it.</returns>
    /// <exception cref="NotSupportedException"><see cref="ImageTensorOptions.ResizeMode"/> is not <see cref="ImageResizeMode.None"/>: regions are read at the decoded size.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (unknown format, corrupt or truncated), or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/> (its <see cref="System.Exception.Data"/> then holds a <see cref="PixelLimitExceeded"/>); ImageSharp's exception, if any, is the inner exception.</exception>
    public DecodedImage LoadPixels(string path)
    {
        if (_options.ResizeMode != ImageResizeMode.None)
        {
            throw new NotSupportedException(
                $"ImageTensorOptions.ResizeMode is {_options.ResizeMode}; a decoded image is read region by region at its own size, so set ImageTensorOptions.ResizeMode to None (tiling covers any size).");
        }

        Image<Rgb24> image = DecodeFile(path);
        return new DecodedImage(image, ImageGeometry.Compute(image.Width, image.Height, _options), _normalization);
    }

    /// <summary>Loads one image file into <paramref name="buffer"/>, growing it when too small; returns the geometry (the tensor is the buffer's first <c>3 · H · W</c> values).</summary>
    internal ImageGeometry LoadReusing(string path, ref float[] buffer)
    {
        using Image<Rgb24> image = DecodeFile(path);
        ImageGeometry geometry = ImageGeometry.Compute(image.Width, image.Height, _options);
        int needed = ChannelCount * geometry.OutputWidth * geometry.OutputHeight;
        if (buffer.Length < needed)
        {
            buffer = new float[needed];
        }

        WriteImage(image, geometry, buffer.AsSpan(0, needed));
        return geometry;
    }

    private ImageTensor LoadData(ReadOnlySpan<byte> data, string source)
    {
        using Image<Rgb24> image = Decode(data, source);
        ImageGeometry geometry = ImageGeometry.Compute(image.Width, image.Height, _options);
        var tensor = new float[ChannelCount * geometry.OutputWidth * geometry.OutputHeight];
        WriteImage(image, geometry, tensor);
        return new ImageTensor(tensor, 1, ChannelCount, geometry.OutputHeight, geometry.OutputWidth, _options.Layout, [geometry]);
    }

    private ImageGeometry Write(ReadOnlySpan<byte> data, string source, Span<float> destination)
    {
        using Image<Rgb24> image = Decode(data, source);
        ImageGeometry geometry = ImageGeometry.Compute(image.Width, image.Height, _options);
        int needed = ChannelCount * geometry.OutputWidth * geometry.OutputHeight;
        if (destination.Length != needed)
        {
            throw new ArgumentException(
                $"destination has length {destination.Length} but '{source}' becomes 3x{geometry.OutputHeight}x{geometry.OutputWidth} = {needed} values; size the buffer from the output size.",
                nameof(destination));
        }

        WriteImage(image, geometry, destination);
        return geometry;
    }

    private static void CheckBatchSize(ImageGeometry geometry, ImageGeometry? first, string source)
    {
        if (first is not null && (geometry.OutputWidth != first.OutputWidth || geometry.OutputHeight != first.OutputHeight))
        {
            throw new ArgumentException(
                $"'{source}' becomes {geometry.OutputWidth}x{geometry.OutputHeight}, but the batch is {first.OutputWidth}x{first.OutputHeight}; a batch needs one output size (use ResizeMode.Stretch or Letterbox).",
                "paths");
        }
    }

    /// <summary>Decodes a file read into a pooled buffer (so a stream of many files does not cost a file-sized array each).</summary>
    private Image<Rgb24> DecodeFile(string path)
    {
        byte[] bytes = ImageDecoding.RentFile(path, nameof(path), out int length);
        try
        {
            return Decode(bytes.AsSpan(0, length), path);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private Image<Rgb24> Decode(ReadOnlySpan<byte> data, string source)
    {
        Image<Rgb24> image = ImageDecoding.LoadRgb24(data, source, _options.MaxPixels);
        try
        {
            if (_options.AutoOrient)
            {
                image.Mutate(x => x.AutoOrient());
            }

            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private void WriteImage(Image<Rgb24> image, ImageGeometry geometry, Span<float> destination)
    {
        if (geometry.ResizedWidth != image.Width || geometry.ResizedHeight != image.Height)
        {
            var resize = new ResizeOptions
            {
                Size = new Size(geometry.ResizedWidth, geometry.ResizedHeight),
                Mode = ResizeMode.Stretch,
                Sampler = _resampler,
            };
            image.Mutate(x => x.Resize(resize));
        }

        bool padded = geometry.PadLeft + geometry.PadTop + geometry.PadRight + geometry.PadBottom > 0;
        int width = geometry.OutputWidth, plane = geometry.OutputWidth * geometry.OutputHeight;
        if (!padded && _options.Layout == TensorLayout.Nchw)
        {
            // The common case: each decoded row goes straight into the three planes, normalised on the way, while it
            // is in cache (one pass over the tensor instead of three: raw write, multiply, add).
            for (int y = 0; y < geometry.ResizedHeight; y++)
            {
                Span<Rgb24> row = image.DangerousGetPixelRowMemory(y).Span;
                int start = y * width;
                _normalization.WriteRowToPlanes(row, destination.Slice(start, row.Length), destination.Slice(plane + start, row.Length), destination.Slice((2 * plane) + start, row.Length));
            }

            return;
        }

        if (padded)
        {
            destination.Fill(_options.PaddingValue);
        }

        bool bgr = _options.ChannelOrder == ChannelOrder.Bgr;
        for (int y = 0; y < geometry.ResizedHeight; y++)
        {
            Span<Rgb24> row = image.DangerousGetPixelRowMemory(y).Span;
            int start = ((geometry.PadTop + y) * width) + geometry.PadLeft;
            if (_options.Layout == TensorLayout.Nchw)
            {
                PixelRows.ToPlanes(row, destination.Slice(start, row.Length), destination.Slice(plane + start, row.Length), destination.Slice((2 * plane) + start, row.Length), bgr);
            }
            else
            {
                PixelRows.ToInterleaved(row, destination.Slice(start * ChannelCount, row.Length * ChannelCount), bgr);
            }
        }

        if (_options.Layout == TensorLayout.Nchw)
        {
            _normalization.ApplyToPlanes(destination, plane);
        }
        else
        {
            _normalization.ApplyToInterleaved(destination, geometry.OutputHeight, geometry.OutputWidth);
        }
    }

    private static float PerChannel(IReadOnlyList<float>? values, int channel, float fallback, string name)
    {
        if (values is null)
        {
            return fallback;
        }

        return values.Count switch
        {
            1 => values[0],
            3 => values[channel],
            _ => throw new ArgumentException($"{name} has {values.Count} values; give 1 (all channels) or 3 (R, G, B), e.g. ImageTensorOptions.ImageNet{name}.", "options"),
        };
    }
}
