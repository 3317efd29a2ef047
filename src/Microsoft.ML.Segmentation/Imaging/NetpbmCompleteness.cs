using System;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// Whether a Netpbm file (PBM, PGM, PPM; plain P1–P3 or binary P4–P6) holds every sample its header declares.
/// ImageSharp 2.1.13 leaves the samples of a cut file at zero. In the plain formats the last sample must be followed by
/// whitespace (as every writer ends its file with a newline): otherwise a number cut short ("25" of "255") would pass.
/// </summary>
internal static class NetpbmCompleteness
{
    /// <summary>What is missing, in words; null when the samples are all there (or the header is one this check does not read).</summary>
    public static string? FindMissing(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3 || data[0] != (byte)'P' || data[1] is < (byte)'1' or > (byte)'6')
        {
            return null;
        }

        int kind = data[1] - '0';
        int offset = 2;
        bool bitmap = kind is 1 or 4;
        long width = ReadHeaderNumber(data, ref offset), height = ReadHeaderNumber(data, ref offset);
        long maxValue = bitmap ? 1 : ReadHeaderNumber(data, ref offset);
        if (width <= 0 || height <= 0 || maxValue <= 0)
        {
            return null; // a corrupt header: the decoder reports it
        }

        long channels = kind is 3 or 6 ? 3 : 1;
        long samples = width * height * channels;
        if (kind >= 4)
        {
            long bytesPerSample = maxValue > 255 ? 2 : 1;
            long needed = offset + 1 + (bitmap ? ((width + 7) / 8 * height) : samples * bytesPerSample); // one whitespace byte ends the header
            return data.Length >= needed ? null : $"it is {data.Length} bytes but its {width}x{height} samples end at byte {needed}";
        }

        long present = bitmap ? CountBits(data[offset..], samples) : CountNumbers(data[offset..], samples);
        return present >= samples ? null : $"it holds {present} of the {samples} samples that {width}x{height} pixels need";
    }

    /// <summary>The next decimal number of the header, after whitespace and # comments; -1 when there is none.</summary>
    private static long ReadHeaderNumber(ReadOnlySpan<byte> data, ref int offset)
    {
        while (offset < data.Length && (IsSpace(data[offset]) || data[offset] == (byte)'#'))
        {
            if (data[offset] == (byte)'#')
            {
                while (offset < data.Length && data[offset] != (byte)'\n')
                {
                    offset++;
                }
            }
            else
            {
                offset++;
            }
        }

        long value = -1;
        while (offset < data.Length && data[offset] is >= (byte)'0' and <= (byte)'9' && value < int.MaxValue)
        {
            value = (Math.Max(value, 0) * 10) + (data[offset] - '0');
            offset++;
        }

        return value;
    }

    /// <summary>Plain PBM: every '0' or '1' is a sample, with or without whitespace between them.</summary>
    private static long CountBits(ReadOnlySpan<byte> data, long limit)
    {
        long count = 0;
        for (int i = 0; i < data.Length && count < limit; i++)
        {
            if (data[i] is (byte)'0' or (byte)'1')
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Plain PGM/PPM: whitespace-separated decimal numbers; a number counts once whitespace ends it.</summary>
    private static long CountNumbers(ReadOnlySpan<byte> data, long limit)
    {
        long count = 0;
        bool inNumber = false;
        for (int i = 0; i < data.Length && count < limit; i++)
        {
            bool digit = data[i] is >= (byte)'0' and <= (byte)'9';
            if (inNumber && !digit)
            {
                count++;
            }

            inNumber = digit;
        }

        return count;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';
}
