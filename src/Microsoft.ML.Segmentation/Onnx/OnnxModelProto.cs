using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>Parsing and inspection shared by the graph edits: the default opset, the image input, value types.</summary>
internal static class OnnxModelProto
{
    public const int FloatType = (int)TensorProto.Types.DataType.Float;
    public const int Int64Type = (int)TensorProto.Types.DataType.Int64;
    public const int UInt8Type = (int)TensorProto.Types.DataType.Uint8;

    public static ModelProto Parse(byte[] model, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(model, parameterName);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"The {model.Length} bytes are not an ONNX model: {e.Message}", parameterName, e);
        }

        if (proto.Graph is null || proto.Graph.Node.Count == 0)
        {
            throw new ArgumentException($"The {model.Length} bytes hold no ONNX graph with nodes.", parameterName);
        }

        return proto;
    }

    /// <summary>The import of the default (ai.onnx) domain.</summary>
    public static OperatorSetIdProto DefaultOpset(ModelProto model, string parameterName) =>
        model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
        ?? throw new ArgumentException("The model imports no default-domain (ai.onnx) opset.", parameterName);

    /// <summary>Graph inputs that are not initializers (IR &lt; 4 models list weights as inputs too).</summary>
    public static IEnumerable<ValueInfoProto> RealInputs(GraphProto graph)
    {
        var weights = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        return graph.Input.Where(i => !weights.Contains(i.Name));
    }

    public static ValueInfoProto FindImageInput(GraphProto graph, string? name, string optionName, bool acceptBytes = false)
    {
        bool IsImage(ValueInfoProto value) => IsRank4(value, FloatType) || (acceptBytes && IsRank4(value, UInt8Type));
        List<ValueInfoProto> inputs = RealInputs(graph).ToList();
        if (name is not null)
        {
            ValueInfoProto found = inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new ArgumentException($"The model has no input named '{name}'. {Describe(graph)}", optionName);
            return IsImage(found) ? found
                : throw new ArgumentException($"The input '{name}' is {DescribeValue(found)}; an image input must be float [N,C,H,W]. {Describe(graph)}", optionName);
        }

        List<ValueInfoProto> candidates = inputs.Where(IsImage).ToList();
        return candidates.Count == 1 ? candidates[0]
            : throw new ArgumentException(
                candidates.Count == 0
                    ? $"The model has no rank-4 float input [N,C,H,W]. {Describe(graph)}"
                    : $"The model has {candidates.Count} rank-4 float inputs; set {optionName} to choose one. {Describe(graph)}",
                optionName);
    }

    public static int ElementType(ValueInfoProto value) => value.Type?.TensorType?.ElemType ?? 0;

    public static IReadOnlyList<TensorShapeProto.Types.Dimension> Dims(ValueInfoProto value) =>
        (IReadOnlyList<TensorShapeProto.Types.Dimension>?)value.Type?.TensorType?.Shape?.Dim ?? Array.Empty<TensorShapeProto.Types.Dimension>();

    public static bool IsRank4(ValueInfoProto value, int elementType) =>
        ElementType(value) == elementType && value.Type.TensorType.Shape is { } shape && shape.Dim.Count == 4;

    /// <summary>A dimension's fixed value, or null when it is symbolic or unknown.</summary>
    public static long? Fixed(TensorShapeProto.Types.Dimension dim) =>
        dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dim.DimValue : null;

    public static ValueInfoProto Tensor(string name, int elementType, IEnumerable<TensorShapeProto.Types.Dimension> dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims.Select(d => d.Clone()));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }

    public static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    public static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    public static string DescribeValue(ValueInfoProto value)
    {
        string type = ElementType(value) is int t && Enum.IsDefined(typeof(TensorProto.Types.DataType), t)
            ? ((TensorProto.Types.DataType)t).ToString() : "non-tensor";
        return $"{type} [{string.Join(",", Dims(value).Select(d => Fixed(d)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (string.IsNullOrEmpty(d.DimParam) ? "?" : d.DimParam)))}]";
    }

    public static string Describe(GraphProto graph) =>
        $"Inputs: {string.Join(", ", RealInputs(graph).Select(v => $"'{v.Name}' {DescribeValue(v)}"))}. Outputs: {string.Join(", ", graph.Output.Select(v => $"'{v.Name}' {DescribeValue(v)}"))}.";

    public static byte[] Serialize(ModelProto model) => model.ToByteArray();
}
