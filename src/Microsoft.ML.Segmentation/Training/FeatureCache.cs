using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// Feature maps by image index, in memory up to <see cref="MemoryLimitBytes"/> and spilled to one temporary file beyond
/// it. An image whose maps fit in what is left of the limit stays in memory; any other is appended to the file (float32,
/// little-endian, the maps one after another) and read back on each <see cref="Get"/>. Which images spill depends only
/// on the order and sizes of the <see cref="Add"/> calls. <see cref="Get"/> may run on several threads at once, also
/// while another thread adds; the file is deleted on <see cref="Dispose"/>.
/// </summary>
/// <remarks>Thread safety: thread-safe: reads and writes of the cache file are serialised by a lock. <c>Dispose</c>
/// must not race with them.</remarks>
public sealed class FeatureCache : IFeatureStore, IDisposable
{
    /// <summary>The default <see cref="MemoryLimitBytes"/>: 1 GiB.</summary>
    public const long DefaultMemoryLimitBytes = 1L << 30;

    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly string _directory;
    private SafeFileHandle? _file;
    private long _fileLength;
    private bool _disposed;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="memoryLimitBytes">Bytes of feature values kept in memory; 0 spills everything.</param>
    /// <param name="spillDirectory">Where the spill file goes; null uses the system temp folder.</param>
    public FeatureCache(long memoryLimitBytes = DefaultMemoryLimitBytes, string? spillDirectory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memoryLimitBytes);
        MemoryLimitBytes = memoryLimitBytes;
        _directory = spillDirectory ?? Path.GetTempPath();
    }

    /// <summary>Bytes of feature values kept in memory at most.</summary>
    public long MemoryLimitBytes { get; }

    /// <summary>Bytes of feature values now in memory (never above <see cref="MemoryLimitBytes"/>).</summary>
    public long InMemoryBytes { get; private set; }

    /// <summary>How many images were spilled to the file.</summary>
    public int SpilledCount { get; private set; }

    /// <summary>The spill file, or null while nothing has spilled.</summary>
    public string? SpillPath { get; private set; }

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="backbone"/> on each image and adds its maps.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="images">Planar <c>[C,H,W]</c> images with their sizes, normalised for the backbone.</param>
    /// <param name="memoryLimitBytes">See <see cref="MemoryLimitBytes"/>.</param>
    /// <param name="spillDirectory">Where the spill file goes; null uses the system temp folder.</param>
    /// <returns>The cache, image <c>i</c> at index <c>i</c>.</returns>
    public static FeatureCache Create(FeatureBackbone backbone, IEnumerable<(float[] Image, int Height, int Width)> images,
        long memoryLimitBytes = DefaultMemoryLimitBytes, string? spillDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(images);
        var cache = new FeatureCache(memoryLimitBytes, spillDirectory);
        try
        {
            foreach ((float[] image, int height, int width) in images)
            {
                cache.Add(backbone.Extract(image, height, width));
            }

            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>Adds one image's maps, keeping them (not a copy) while they fit in memory, else writing them to the file.</summary>
    /// <param name="maps">The maps; the caller must not modify them afterwards.</param>
    /// <returns>The image's index.</returns>
    public int Add(FeatureMaps maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long bytes = maps.ByteCount;
            if (InMemoryBytes + bytes <= MemoryLimitBytes)
            {
                InMemoryBytes += bytes;
                _entries.Add(new Entry(maps, 0, maps.ImageHeight, maps.ImageWidth, []));
            }
            else
            {
                long offset = Spill(maps);
                SpilledCount++;
                _entries.Add(new Entry(null, offset, maps.ImageHeight, maps.ImageWidth, maps.Maps.Select(m => new MapShape(m.Channels, m.Height, m.Width, m.Stride)).ToArray()));
            }

            return _entries.Count - 1;
        }
    }

    /// <inheritdoc/>
    /// <remarks>A spilled image comes back in new arrays on each call.</remarks>
    public FeatureMaps Get(int index)
    {
        Entry entry;
        SafeFileHandle? file;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _entries.Count);
            entry = _entries[index];
            file = _file;
            if (entry.Maps is not null)
            {
                return entry.Maps;
            }

            // Keeps the handle open while this read runs; Dispose waits for no reader, so count the reference.
            bool added = false;
            file!.DangerousAddRef(ref added);
        }

        try
        {
            return Read(file, entry);
        }
        finally
        {
            file.DangerousRelease();
        }
    }

    /// <summary>Deletes the spill file and drops the maps.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _entries.Clear();
            InMemoryBytes = 0;
            _file?.Dispose();
            _file = null;
            if (SpillPath is not null)
            {
                File.Delete(SpillPath);
            }
        }
    }

    private long Spill(FeatureMaps maps)
    {
        if (_file is null)
        {
            SpillPath = Path.Combine(_directory, $"segml-features-{Guid.NewGuid():N}.bin");
            _file = File.OpenHandle(SpillPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.RandomAccess);
        }

        long offset = _fileLength;
        foreach (FeatureMap map in maps.Maps)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(map.Data.AsSpan());
            if (!BitConverter.IsLittleEndian)
            {
                bytes = SwapToLittleEndian(map.Data);
            }

            RandomAccess.Write(_file, bytes, _fileLength);
            _fileLength += bytes.Length;
        }

        return offset;
    }

    private static FeatureMaps Read(SafeFileHandle file, Entry entry)
    {
        var maps = new List<FeatureMap>(entry.Shapes.Length);
        long offset = entry.Offset;
        foreach (MapShape shape in entry.Shapes)
        {
            var data = new float[shape.Channels * shape.Height * shape.Width];
            Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
            int read = 0;
            while (read < bytes.Length)
            {
                int n = RandomAccess.Read(file, bytes[read..], offset + read);
                if (n == 0)
                {
                    throw new IOException($"The feature spill file ended early at byte {offset + read}.");
                }

                read += n;
            }

            if (!BitConverter.IsLittleEndian)
            {
                System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(data.AsSpan()), MemoryMarshal.Cast<float, int>(data.AsSpan()));
            }

            offset += bytes.Length;
            maps.Add(new FeatureMap(shape.Channels, shape.Height, shape.Width, shape.Stride, data));
        }

        return new FeatureMaps(entry.ImageHeight, entry.ImageWidth, maps);
    }

    private static byte[] SwapToLittleEndian(float[] values)
    {
        var ints = new int[values.Length];
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values.AsSpan()), ints);
        return MemoryMarshal.AsBytes(ints.AsSpan()).ToArray();
    }

    /// <summary>In-memory maps, or the file offset and map sizes of spilled ones (their values live only in the file).</summary>
    private sealed record Entry(FeatureMaps? Maps, long Offset, int ImageHeight, int ImageWidth, MapShape[] Shapes);

    private readonly record struct MapShape(int Channels, int Height, int Width, int Stride);
}
