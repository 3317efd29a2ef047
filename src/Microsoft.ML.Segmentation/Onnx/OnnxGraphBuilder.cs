using System;
using System.Collections.Generic;
using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Adds nodes and constants to an ONNX graph under names no tensor, node or sub-graph of the model uses yet.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private int _counter;

    public OnnxGraphBuilder(GraphProto graph, long opset)
    {
        Graph = graph;
        Opset = opset;
        Collect(graph);
    }

    public GraphProto Graph { get; }

    /// <summary>The default-domain opset the added nodes are written for.</summary>
    public long Opset { get; }

    public bool IsUsed(string name) => _used.Contains(name);

    /// <summary>Claims a name the caller chose (an input or output the user will see).</summary>
    public void Claim(string name) => _used.Add(name);

    /// <summary>A fresh name <c>segml_{hint}_{n}</c>.</summary>
    public string Fresh(string hint)
    {
        string name;
        do
        {
            name = $"segml_{hint}_{_counter++}";
        }
        while (!_used.Add(name));
        return name;
    }

    /// <summary>Appends a node with one output and returns the output's name.</summary>
    public string Add(string opType, string hint, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        string output = Fresh(hint);
        AddTo(opType, inputs, output, attributes);
        return output;
    }

    /// <summary>Appends a node writing the given (already claimed) output name.</summary>
    public void AddTo(string opType, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh(opType.ToLowerInvariant()) };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
    }

    public string Int64s(string hint, params long[] values) => Int64Tensor(hint, [values.Length], values);

    public string Int64Scalar(string hint, long value) => Int64Tensor(hint, [], [value]);

    public string Floats(string hint, long[] dims, params float[] values)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        tensor.FloatData.Add(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A one-element int64 tensor attribute, the <c>value</c> of ConstantOfShape.</summary>
    public static AttributeProto Int64Value(long value)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(1);
        tensor.Int64Data.Add(value);
        return new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
    }

    /// <summary>Squeezes axis 1 in a way every opset reads alike: Gather with a scalar index drops the axis.</summary>
    public string DropChannelAxis(string input, string hint) =>
        Add("Gather", hint, [input, Int64Scalar("zero", 0)], Int("axis", 1));

    /// <summary>Softmax over axis 1 of an NCHW tensor. Before opset 13 Softmax flattens from its axis on, so the channels go last first.</summary>
    public string SoftmaxOverChannels(string input)
    {
        if (Opset >= 13)
        {
            return Add("Softmax", "softmax", [input], Int("axis", 1));
        }

        string last = Add("Transpose", "nhwc", [input], Ints("perm", 0, 2, 3, 1));
        string soft = Add("Softmax", "softmax", [last], Int("axis", 3));
        return Add("Transpose", "nchw", [soft], Ints("perm", 0, 3, 1, 2));
    }

    private string Int64Tensor(string hint, long[] dims, long[] values)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(dims);
        tensor.Int64Data.Add(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private void Collect(GraphProto graph)
    {
        foreach (ValueInfoProto value in graph.Input)
        {
            _used.Add(value.Name);
        }

        foreach (ValueInfoProto value in graph.Output)
        {
            _used.Add(value.Name);
        }

        foreach (ValueInfoProto value in graph.ValueInfo)
        {
            _used.Add(value.Name);
        }

        foreach (TensorProto tensor in graph.Initializer)
        {
            _used.Add(tensor.Name);
        }

        foreach (NodeProto node in graph.Node)
        {
            _used.Add(node.Name);
            _used.UnionWith(node.Input);
            _used.UnionWith(node.Output);
            foreach (AttributeProto attribute in node.Attribute)
            {
                // Sub-graphs (If, Loop, Scan) see the outer scope: a name defined inside must not be shadowed either.
                if (attribute.G is not null)
                {
                    Collect(attribute.G);
                }

                foreach (GraphProto sub in attribute.Graphs)
                {
                    Collect(sub);
                }
            }
        }
    }
}
