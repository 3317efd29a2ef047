using System;
using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// The CRC-32 a PNG chunk ends with (ISO-HDLC polynomial, as zlib), over the chunk's type and body. Eight bytes a
/// step through eight tables ("slicing by 8"): the PNG fast path checks the CRC of every IDAT byte, and a byte-at-a-time
/// table would cost a sizeable share of the decode.
/// </summary>
internal static class PngCrc
{
    private static readonly uint[] s_tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint[] t = s_tables;
        uint crc = 0xFFFFFFFF;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc, high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (low & 0xFF)] ^ t[(6 * 256) + ((low >> 8) & 0xFF)] ^ t[(5 * 256) + ((low >> 16) & 0xFF)] ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xFF)] ^ t[(2 * 256) + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>Table k gives the CRC contribution of a byte followed by k zero bytes; table 0 is the classic one.</summary>
    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            tables[n] = c;
        }

        for (int table = 1; table < 8; table++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[((table - 1) * 256) + n];
                tables[(table * 256) + n] = tables[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return tables;
    }
}
