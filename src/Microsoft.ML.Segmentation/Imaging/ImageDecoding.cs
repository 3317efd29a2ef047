using System;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Reads image sources into bytes and decodes them with ImageSharp, naming the source in every error. Every decode first
/// reads the header with <c>Image.Identify</c> and refuses images over the pixel limit, so a small file that declares a
/// huge canvas (a decompression bomb) costs no allocation, then refuses a file whose pixel data is cut short (see
/// <see cref="ImageCompleteness"/>: ImageSharp would fill the missing pixels with zeros); whatever a decoder throws on a hostile file becomes an
/// <see cref="InvalidDataException"/> with ImageSharp's exception inside. The one exception is <see cref="LoadRgb24"/>'s
/// PNG fast path, which checks the size and every row itself while it decodes, and hands anything irregular to this path.
/// </summary>
internal static class ImageDecoding
{
    public const string StreamSource = "<stream>";
    public const string BytesSource = "<byte buffer>";

    /// <summary>The default of <see cref="ImageTensorOptions.MaxPixels"/> and <see cref="MaskOptions.MaxPixels"/>: 2^26 (64 Mi pixels, 8192 × 8192).</summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>
    /// ImageSharp's defaults, except that animated GIF and multi-page TIFF decode their first frame only: the loaders use
    /// only that frame, and a file of thousands of frames would otherwise multiply the pixel limit by its frame count.
    /// </summary>
    private static readonly Configuration s_configuration = CreateConfiguration();

    public static byte[] ReadFile(string path, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, paramName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist; check the path and the working directory ({Environment.CurrentDirectory}).", path);
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Reads a whole file into a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>; the caller returns it.
    /// Used where files are decoded in a stream of many, so each one does not cost a file-sized array.
    /// </summary>
    public static byte[] RentFile(string path, string paramName, out int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, paramName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist; check the path and the working directory ({Environment.CurrentDirectory}).", path);
        }

        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
        long size = RandomAccess.GetLength(handle);
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException($"Image file '{path}' is {size} bytes, larger than any image this loader reads.");
        }

        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            length = 0;
            while (length < size)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(length, (int)size - length), length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return buffer;
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static byte[] ReadStream(Stream stream, string paramName)
    {
        ArgumentNullException.ThrowIfNull(stream, paramName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", paramName);
        }

        if (stream is MemoryStream memory && memory.TryGetBuffer(out ArraySegment<byte> segment))
        {
            byte[] rest = segment.AsSpan((int)memory.Position).ToArray();
            memory.Position = memory.Length;
            return rest;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static Image<TPixel> Load<TPixel>(ReadOnlySpan<byte> data, string source, long maxPixels)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        CheckBeforeDecoding(data, source, maxPixels);
        if (PngDeinterlacer.ToSequential(data) is byte[] sequential)
        {
            data = sequential; // ImageSharp 2.1.13 hangs on some valid interlaced PNGs
        }

        try
        {
            return Image.Load<TPixel>(s_configuration, data);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }
    }

    /// <summary>
    /// <see cref="Load{TPixel}"/> for 8-bit RGB, taking <see cref="PngRgbDecoder"/>'s single inflate for the common PNG
    /// (it proves the rows complete as it decodes them, so neither the header read nor the completeness guard runs
    /// twice); every other file, and every PNG that path declines, goes the guarded ImageSharp way, errors included.
    /// </summary>
    public static Image<Rgb24> LoadRgb24(ReadOnlySpan<byte> data, string source, long maxPixels) =>
        PngRgbDecoder.TryDecode(data, s_configuration, maxPixels) ?? Load<Rgb24>(data, source, maxPixels);

    public static Image Load(ReadOnlySpan<byte> data, string source, long maxPixels, out IImageFormat format)
    {
        CheckBeforeDecoding(data, source, maxPixels);
        if (PngDeinterlacer.ToSequential(data) is byte[] sequential)
        {
            data = sequential; // ImageSharp 2.1.13 hangs on some valid interlaced PNGs
        }

        try
        {
            return Image.Load(s_configuration, data, out format);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }
    }

    /// <summary>The upright size of an image from its header: width and height swap for EXIF orientations 5 to 8.</summary>
    public static (int Width, int Height) Identify(byte[] data, string source, bool autoOrient, long maxPixels)
    {
        IImageInfo info = IdentifyOrThrow(data, source, out _);
        CheckPixels(info, source, maxPixels);
        int orientation = 1;
        if (autoOrient && info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation) is { } tag)
        {
            orientation = tag.Value;
        }

        return orientation is >= 5 and <= 8 ? (info.Height, info.Width) : (info.Width, info.Height);
    }

    /// <summary>Throws when <paramref name="maxPixels"/> is not ≥ 1; <paramref name="paramName"/> names the options object.</summary>
    public static void CheckMaxPixels(long maxPixels, string paramName)
    {
        if (maxPixels < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, maxPixels, $"MaxPixels ({maxPixels}) must be ≥ 1; the default is {DefaultMaxPixels} (8192 x 8192).");
        }
    }

    /// <summary>
    /// The guards that run before ImageSharp touches pixels: the declared size against the pixel limit, and the pixel
    /// data against the declared size (<see cref="ImageCompleteness"/>: a cut file would decode with zeros, and an
    /// interlaced PNG whose data runs out would hang ImageSharp 2.1.13).
    /// </summary>
    internal static void CheckBeforeDecoding(ReadOnlySpan<byte> data, string source, long maxPixels)
    {
        CheckPixels(IdentifyOrThrow(data, source, out IImageFormat? format), source, maxPixels);
        ImageCompleteness.Check(data, format, source);
    }

    private static IImageInfo IdentifyOrThrow(ReadOnlySpan<byte> data, string source, out IImageFormat? format)
    {
        CheckNotEmpty(data, source);
        IImageInfo? info;
        try
        {
            // ImageSharp 2.1 identifies only arrays and streams; a stream over the pinned span avoids copying the file.
            unsafe
            {
                fixed (byte* pointer = data)
                {
                    using var stream = new UnmanagedMemoryStream(pointer, data.Length);
                    info = Image.Identify(s_configuration, stream, out format);
                }
            }
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }

        return info ?? throw ImagingThrowHelper.Undecodable(source, new UnknownImageFormatException("No decoder recognises the header."));
    }

    private static void CheckPixels(IImageInfo info, string source, long maxPixels)
    {
        // The header's size is checked before any pixel buffer exists; a non-positive side is corrupt, not merely large.
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidDataException($"'{source}' declares an image of {info.Width}x{info.Height} pixels; the header is corrupt.");
        }

        if (pixels > maxPixels)
        {
            throw new PixelLimitExceeded(source, info.Width, info.Height, maxPixels).ToException();
        }
    }

    private static Configuration CreateConfiguration()
    {
        Configuration configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    private static void CheckNotEmpty(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDataException($"'{source}' is empty (0 bytes); it cannot be an image.");
        }
    }

    /// <summary>
    /// Whether an exception from a decoder means "this data is bad". A hostile file reaches decoder code paths that throw
    /// almost anything (ImageFormatException, NotSupportedException, IndexOutOfRange, ArgumentOutOfRange, Overflow,
    /// InvalidCast, NullReference, InvalidOperation...), so everything is a decode failure except what says the process,
    /// not the file, is in trouble: out of memory, and cancellation.
    /// </summary>
    private static bool IsDecodeFailure(Exception e) =>
        e is not (OutOfMemoryException or OperationCanceledException or InsufficientExecutionStackException);
}
