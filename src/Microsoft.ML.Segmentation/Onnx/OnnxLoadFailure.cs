using System;
using System.IO;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// The one exception every model-loading entry point throws for a file ONNX Runtime cannot load: an
/// <see cref="InvalidDataException"/> naming the model, as the image loaders report a file they cannot decode. The
/// message says "is not an ONNX model" when the bytes do not even parse as an ONNX <c>ModelProto</c> with a graph
/// (a text file, an image, a truncated download), and gives ONNX Runtime's own reason otherwise (an unknown operator, a
/// broken graph); ONNX Runtime's exception is the inner exception.
/// </summary>
internal static class OnnxLoadFailure
{
    /// <summary>The exception for a model the CPU provider, which always starts, could not load: so the file itself is at fault.</summary>
    /// <param name="modelName">The model's path or name, for the message.</param>
    /// <param name="error">ONNX Runtime's exception.</param>
    /// <param name="openGraph">Opens the model's bytes, to tell a non-model from a model ONNX Runtime rejects; <see langword="null"/> when they cannot be read again.</param>
    public static InvalidDataException FromRuntime(string modelName, OnnxRuntimeException error, Func<Stream>? openGraph)
    {
        string reason = error.Message.TrimEnd('.', ' ');
        if (IsNotAModel(openGraph))
        {
            return NotAModel(modelName, $"ONNX Runtime: {reason}", error);
        }

        return new InvalidDataException($"ONNX Runtime could not load the model '{modelName}': {reason}.", error);
    }

    /// <summary>The exception for bytes that are not an ONNX model; <paramref name="why"/> says what was found instead.</summary>
    public static InvalidDataException NotAModel(string modelName, string why, Exception? inner)
        => new($"'{modelName}' is not an ONNX model: it does not parse as an ONNX ModelProto with a graph ({why}); give the .onnx file exported from the training framework.", inner);

    /// <summary>
    /// Parses <paramref name="model"/> for a loading entry point: bytes that are not an ONNX model with a graph are
    /// bad data (<see cref="InvalidDataException"/> naming <paramref name="modelName"/>), not a bad argument.
    /// </summary>
    public static ModelProto Parse(byte[] model, string modelName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw NotAModel(modelName, $"{model.Length} bytes; protobuf: {e.Message.TrimEnd('.', ' ')}", e);
        }

        if (proto.Graph is null || proto.Graph.Node.Count == 0)
        {
            throw NotAModel(modelName, $"{model.Length} bytes that hold no graph with nodes", null);
        }

        return proto;
    }

    /// <summary>Whether <paramref name="openGraph"/> opens bytes that are certainly not an ONNX model; <see langword="false"/> when there is nothing to read.</summary>
    public static bool IsNotAModel(Func<Stream>? openGraph) => openGraph is not null && !IsModel(openGraph);

    /// <summary>Whether the stream parses as an ONNX <c>ModelProto</c> that has a graph (protobuf skips unknown fields, so the graph is the test).</summary>
    private static bool IsModel(Func<Stream> openGraph)
    {
        try
        {
            using Stream stream = openGraph();
            return ModelProto.Parser.ParseFrom(stream).Graph is not null;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or IOException)
        {
            return false;
        }
    }
}
