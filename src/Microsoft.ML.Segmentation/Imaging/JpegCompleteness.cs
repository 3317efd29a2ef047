using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a JPEG's compressed scans end with the end-of-image marker (FF D9). Inside entropy-coded data a 0xFF byte is
/// always followed by 0x00 (stuffing) or a restart marker, so FF D9 after the first start-of-scan marker can only be
/// the end of the image: a file cut anywhere in its scans (baseline or progressive) lacks it. ImageSharp 2.1.13 decodes
/// such a file without error and leaves the missing blocks empty. Bytes after the marker (camera trailers) are allowed.
/// </summary>
internal static class JpegCompleteness
{
    private static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    /// <summary>What is missing, in words; null when the scans end properly (or the file is not a JPEG this check reads).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return null;
        }

        int offset = 2;
        while (true)
        {
            while (offset < data.Length && data[offset] == 0xFF && offset + 1 < data.Length && data[offset + 1] == 0xFF)
            {
                offset++; // fill bytes before a marker
            }

            if (offset + 4 > data.Length)
            {
                return $"it ends at byte {data.Length} before its first scan";
            }

            if (data[offset] != 0xFF)
            {
                return null; // not a marker where one must be: corrupt, not truncated; the decoder reports it
            }

            byte marker = data[offset + 1];
            if (marker == 0xD9)
            {
                return null; // an image without scans: the decoder reports it
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                offset += 2; // markers without a length
                continue;
            }

            int segmentEnd = offset + 2 + BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            if (segmentEnd > data.Length)
            {
                return $"its marker segment 0xFF{marker:X2} at byte {offset} runs past the end of the file";
            }

            if (marker == 0xDA)
            {
                return data[segmentEnd..].LastIndexOf(EndOfImage) >= 0
                    ? null
                    : $"its compressed scan data, from byte {segmentEnd}, ends without the end-of-image marker (FF D9)";
            }

            offset = segmentEnd;
        }
    }
}
