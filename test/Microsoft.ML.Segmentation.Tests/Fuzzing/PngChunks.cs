using System.Buffers.Binary;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>Splits a PNG (the chunks that parse) into chunks and joins them again with fresh CRCs, so mutations pass the CRC check and reach the decoder.</summary>
internal static class PngChunks
{
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
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8 + body.Length), Microsoft.ML.Segmentation.Imaging.PngCrc.Compute(buffer.AsSpan(4, 4 + body.Length)));
            file.Write(buffer);
        }

        return file.ToArray();
    }

    /// <summary>The same PNG with its pixel data re-cut into IDAT chunks of <paramref name="chunkSize"/> bytes (as libpng and PIL write large files).</summary>
    public static byte[] SplitIdat(byte[] png, int chunkSize)
    {
        List<(string Type, byte[] Body)> chunks = Split(png);
        byte[] idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Body).ToArray();
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        var rebuilt = chunks.Take(first).ToList();
        for (int i = 0; i < idat.Length; i += chunkSize)
        {
            rebuilt.Add(("IDAT", idat.AsSpan(i, Math.Min(chunkSize, idat.Length - i)).ToArray()));
        }

        rebuilt.AddRange(chunks.Skip(first).Where(c => c.Type != "IDAT"));
        return Join(rebuilt);
    }
}
