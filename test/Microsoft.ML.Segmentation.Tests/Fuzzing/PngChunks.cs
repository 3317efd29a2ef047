using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>Splits a PNG (the chunks that parse) into chunks and joins them again with fresh CRCs, so mutations pass the CRC check and reach the decoder.</summary>
internal static class PngChunks
{
    private static readonly uint[] s_table = BuildTable();

    public static byte[] Signature { get; } = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static List<(string Type, byte[] Body)> Split(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int offset = 8; offset + 12 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (length < 0 || offset + 12L + length > png.Length)
            {
                break; // an earlier mutation broke the chunk structure; keep what parsed
            }

            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            chunks.Add((type, png.AsSpan(offset + 8, length).ToArray()));
            offset += 12 + length;
        }

        return chunks;
    }

    public static byte[] Join(IEnumerable<(string Type, byte[] Body)> chunks)
    {
        using var file = new MemoryStream();
        file.Write(Signature);
        foreach ((string type, byte[] body) in chunks)
        {
            var buffer = new byte[12 + body.Length];
            BinaryPrimitives.WriteInt32BigEndian(buffer, body.Length);
            System.Text.Encoding.ASCII.GetBytes(type, buffer.AsSpan(4, 4));
            body.CopyTo(buffer, 8);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8 + body.Length), Crc(buffer.AsSpan(4, 4 + body.Length)));
            file.Write(buffer);
        }

        return file.ToArray();
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
