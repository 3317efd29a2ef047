using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a GIF holds its first frame whole: the blocks up to and including that frame's image data, whose
/// sub-blocks must end with their zero-length terminator. The loaders decode the first frame only, so later frames may
/// be cut. ImageSharp 2.1.13 decodes a cut frame without error and leaves its missing pixels at the background.
/// </summary>
internal static class GifCompleteness
{
    private const int ScreenDescriptorEnd = 13;

    /// <summary>What is missing, in words; null when the first frame is whole (or the file is not a GIF this check reads).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < ScreenDescriptorEnd || !data[..3].SequenceEqual("GIF"u8))
        {
            return null;
        }

        long offset = ScreenDescriptorEnd + ColorTableSize(data[10]);
        while (offset < data.Length)
        {
            switch (data[(int)offset])
            {
                case 0x21: // extension: label, then sub-blocks
                    offset = SkipSubBlocks(data, offset + 2);
                    break;
                case 0x2C: // image descriptor (10 bytes), local colour table, LZW minimum code size, then sub-blocks
                    if (offset + 10 > data.Length)
                    {
                        return $"it ends inside the first frame's image descriptor at byte {offset}";
                    }

                    long dataStart = offset + 10 + ColorTableSize(data[(int)offset + 9]) + 1;
                    long end = SkipSubBlocks(data, dataStart);
                    return end > data.Length
                        ? $"the first frame's compressed pixel data, from byte {dataStart}, ends without its block terminator"
                        : null;
                default:
                    return null; // the trailer (0x3B) before any frame, or a corrupt block: the decoder reports it
            }
        }

        return "it ends before its first frame";
    }

    private static long ColorTableSize(byte packedFields) => (packedFields & 0x80) != 0 ? 3L << ((packedFields & 7) + 1) : 0;

    /// <summary>The offset after a chain of sub-blocks (length byte, bytes) and its 0 terminator; past the end when cut.</summary>
    private static long SkipSubBlocks(ReadOnlySpan<byte> data, long offset)
    {
        while (offset < data.Length)
        {
            byte size = data[(int)offset];
            offset += 1 + size;
            if (size == 0)
            {
                return offset;
            }
        }

        return data.Length + 1L;
    }
}
