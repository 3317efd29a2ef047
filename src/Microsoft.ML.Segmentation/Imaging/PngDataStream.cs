using System;
using System.Buffers.Binary;
using System.IO;

namespace Microsoft.ML.Segmentation.Imaging;

/// <summary>
/// A read-only stream over the bodies of a PNG's IDAT chunks, in order, straight from the file's bytes: the zlib stream
/// that the chunks split, without copying it. The memory must stay pinned while the stream is read.
/// </summary>
internal sealed unsafe class PngDataStream : Stream
{
    private readonly byte* _data;
    private readonly int _length;
    private int _chunk = 8; // offset of the next chunk header to look at
    private int _position; // next byte to read in the current IDAT body
    private int _bodyEnd;

    public PngDataStream(byte* data, int length)
    {
        _data = data;
        _length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position == _bodyEnd && !NextBody())
        {
            return 0;
        }

        int count = Math.Min(buffer.Length, _bodyEnd - _position);
        new ReadOnlySpan<byte>(_data + _position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Moves to the next non-empty IDAT body that lies whole in the file; false at IEND or the end of the data.</summary>
    private bool NextBody()
    {
        var data = new ReadOnlySpan<byte>(_data, _length);
        while (_chunk + 12L <= _length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[_chunk..]);
            ReadOnlySpan<byte> type = data.Slice(_chunk + 4, 4);
            long end = _chunk + 12L + length;
            if (end > _length || type.SequenceEqual("IEND"u8))
            {
                return false;
            }

            int body = _chunk + 8;
            _chunk = (int)end;
            if (type.SequenceEqual("IDAT"u8) && length > 0)
            {
                _position = body;
                _bodyEnd = body + (int)length;
                return true;
            }
        }

        return false;
    }
}
