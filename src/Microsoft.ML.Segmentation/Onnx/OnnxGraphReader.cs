using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>One node of an ONNX graph, as far as output-kind detection needs it.</summary>
internal readonly record struct OnnxNodeInfo(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>
/// Reads the node list of an ONNX <c>ModelProto</c> straight from the protobuf wire format, skipping everything else
/// (initializers are skipped by seeking, so large weights are never read). ONNX Runtime does not expose the graph.
/// </summary>
internal static class OnnxGraphReader
{
    private const int ModelGraphField = 7;
    private const int GraphNodeField = 1;
    private const int NodeInputField = 1;
    private const int NodeOutputField = 2;
    private const int NodeOpTypeField = 4;

    /// <summary>Reads the main graph's nodes; returns an empty list when the stream is not a readable model.</summary>
    public static IReadOnlyList<OnnxNodeInfo> ReadNodes(Stream stream)
    {
        var nodes = new List<OnnxNodeInfo>();
        try
        {
            long end = stream.Length;
            while (stream.Position < end)
            {
                (int field, int wire) = ReadTag(stream);
                if (field == ModelGraphField && wire == 2)
                {
                    long length = (long)ReadVarint(stream);
                    ReadGraph(stream, stream.Position + length, nodes);
                    return nodes;
                }

                Skip(stream, wire);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or OverflowException or ArgumentException)
        {
            // Not a model this reader understands: detection falls back to the defaults.
            nodes.Clear();
        }

        return nodes;
    }

    private static void ReadGraph(Stream stream, long end, List<OnnxNodeInfo> nodes)
    {
        while (stream.Position < end)
        {
            (int field, int wire) = ReadTag(stream);
            if (field == GraphNodeField && wire == 2)
            {
                int length = checked((int)ReadVarint(stream));
                byte[] buffer = ReadExactly(stream, length);
                nodes.Add(ReadNode(buffer));
            }
            else
            {
                Skip(stream, wire);
            }
        }
    }

    private static OnnxNodeInfo ReadNode(byte[] buffer)
    {
        using var stream = new MemoryStream(buffer, writable: false);
        var inputs = new List<string>();
        var outputs = new List<string>();
        string opType = string.Empty;
        while (stream.Position < stream.Length)
        {
            (int field, int wire) = ReadTag(stream);
            if (wire == 2 && field is NodeInputField or NodeOutputField or NodeOpTypeField)
            {
                int length = checked((int)ReadVarint(stream));
                string text = Encoding.UTF8.GetString(ReadExactly(stream, length));
                switch (field)
                {
                    case NodeInputField: inputs.Add(text); break;
                    case NodeOutputField: outputs.Add(text); break;
                    default: opType = text; break;
                }
            }
            else
            {
                Skip(stream, wire);
            }
        }

        return new OnnxNodeInfo(opType, inputs, outputs);
    }

    private static (int Field, int Wire) ReadTag(Stream stream)
    {
        ulong tag = ReadVarint(stream);
        return (checked((int)(tag >> 3)), (int)(tag & 7));
    }

    private static ulong ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                throw new EndOfStreamException();
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Malformed varint.");
    }

    private static void Skip(Stream stream, int wire)
    {
        long count = wire switch
        {
            0 => -1,
            1 => 8,
            2 => (long)ReadVarint(stream),
            5 => 4,
            _ => throw new InvalidDataException($"Unsupported wire type {wire}."),
        };
        if (count < 0)
        {
            ReadVarint(stream);
            return;
        }

        if (stream.Position + count > stream.Length)
        {
            throw new EndOfStreamException();
        }

        stream.Seek(count, SeekOrigin.Current);
    }

    private static byte[] ReadExactly(Stream stream, int length)
    {
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
