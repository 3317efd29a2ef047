using System;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>Reads image sources into bytes and decodes them with ImageSharp, naming the source in every error.</summary>
internal static class ImageDecoding
{
    public const string StreamSource = "<stream>";
    public const string BytesSource = "<byte buffer>";

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

    public static Image<TPixel> Load<TPixel>(ReadOnlySpan<byte> data, string source)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        CheckNotEmpty(data, source);
        try
        {
            return Image.Load<TPixel>(data);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }
    }

    public static Image Load(ReadOnlySpan<byte> data, string source, out IImageFormat format)
    {
        CheckNotEmpty(data, source);
        try
        {
            return Image.Load(data, out format);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }
    }

    /// <summary>The upright size of an image from its header: width and height swap for EXIF orientations 5 to 8.</summary>
    public static (int Width, int Height) Identify(byte[] data, string source, bool autoOrient)
    {
        CheckNotEmpty(data, source);
        IImageInfo? info;
        try
        {
            info = Image.Identify(data);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw ImagingThrowHelper.Undecodable(source, e);
        }

        if (info is null)
        {
            throw ImagingThrowHelper.Undecodable(source, new UnknownImageFormatException("No decoder recognises the header."));
        }

        int orientation = 1;
        if (autoOrient && info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation) is { } tag)
        {
            orientation = tag.Value;
        }

        return orientation is >= 5 and <= 8 ? (info.Height, info.Width) : (info.Width, info.Height);
    }

    private static void CheckNotEmpty(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDataException($"'{source}' is empty (0 bytes); it cannot be an image.");
        }
    }

    private static bool IsDecodeFailure(Exception e) =>
        e is ImageFormatException or NotSupportedException or InvalidMemoryOperationException or EndOfStreamException or IndexOutOfRangeException or ArgumentOutOfRangeException;
}
