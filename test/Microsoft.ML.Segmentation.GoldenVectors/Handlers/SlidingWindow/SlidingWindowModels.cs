using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers.SlidingWindow;

/// <summary>
/// The pure predictors of MONAI's sliding-window tests as tiny ONNX graphs (input <c>x</c> float of any rank and
/// shape), so that the runner goes through ONNX Runtime as a real model would.
/// </summary>
internal static class SlidingWindowModels
{
    private const long Opset = 13;

    /// <summary>The model for a predictor name, or null when the predictor is not a pure function (the call counter).</summary>
    public static byte[]? For(string predictor, int channels) => predictor switch
    {
        "x_plus_1" => Elementwise(g => Add(g, "x", Scalar(g, "one", 1f), "y")),
        "x_times_2" => Elementwise(g => Mul(g, "x", Scalar(g, "two", 2f), "y")),
        "x_times_2_plus_1" => Elementwise(g => Add(g, Mul(g, "x", Scalar(g, "two", 2f), "twice"), Scalar(g, "one", 1f), "y")),
        // Upstream adds two tensors of ones, t1 and t2.
        "x_plus_2" => Elementwise(g => Add(g, Add(g, "x", Scalar(g, "t1", 1f), "x_t1"), Scalar(g, "t2", 1f), "y")),
        "x_plus_batch_sum" => Elementwise(g =>
        {
            // ReduceSum without axes reduces every axis: one scalar over the whole batch of windows the model receives.
            NodeProto sum = Node("ReduceSum", ["x"], ["total"]);
            sum.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            g.Node.Add(sum);
            Add(g, "x", "total", "y");
        }),
        "mean3x3_zero_pad" => MeanFilter(channels),
        "multi_output_tuple" => MultiOutput(),
        _ => null,
    };

    private static byte[] Elementwise(Action<GraphProto> body)
    {
        GraphProto graph = NewGraph();
        body(graph);
        graph.Output.Add(AnyFloat("y"));
        return Serialize(graph);
    }

    /// <summary>Depthwise 3×3 mean, zero padding 1: Conv with group = C and weights 1/9, as F.conv2d(..., groups=C).</summary>
    private static byte[] MeanFilter(int channels)
    {
        GraphProto graph = NewGraph();
        var weight = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        weight.Dims.Add(new long[] { channels, 1, 3, 3 });
        weight.FloatData.Add(Enumerable.Repeat(1f / 9f, channels * 9));
        graph.Initializer.Add(weight);
        NodeProto conv = Node("Conv", ["x", "w"], ["y"]);
        conv.Attribute.Add(Ints("kernel_shape", 3, 3));
        conv.Attribute.Add(Ints("pads", 1, 1, 1, 1));
        conv.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = channels });
        graph.Node.Add(conv);
        graph.Output.Add(AnyFloat("y"));
        return Serialize(graph);
    }

    /// <summary>(x + 1, x[:, ::3, ::2, ::2] + 2, x[:, ::2, ::4, ::4] + 3): three outputs at three resolutions.</summary>
    private static byte[] MultiOutput()
    {
        GraphProto graph = NewGraph();
        Add(graph, "x", Scalar(graph, "one", 1f), "y0");
        Strided(graph, "y1", [3, 2, 2], 2f);
        Strided(graph, "y2", [2, 4, 4], 3f);
        graph.Output.Add(AnyFloat("y0"));
        graph.Output.Add(AnyFloat("y1"));
        graph.Output.Add(AnyFloat("y2"));
        return Serialize(graph);
    }

    private static void Strided(GraphProto graph, string output, long[] steps, float add)
    {
        string p = output + "_";
        Int64s(graph, p + "starts", 0, 0, 0);
        Int64s(graph, p + "ends", long.MaxValue, long.MaxValue, long.MaxValue);
        Int64s(graph, p + "axes", 1, 2, 3);
        Int64s(graph, p + "steps", steps);
        graph.Node.Add(Node("Slice", ["x", p + "starts", p + "ends", p + "axes", p + "steps"], [p + "sliced"]));
        Add(graph, p + "sliced", Scalar(graph, p + "add", add), output);
    }

    private static GraphProto NewGraph()
    {
        var graph = new GraphProto { Name = "segml_sliding_window_predictor" };
        graph.Input.Add(AnyFloat("x"));
        return graph;
    }

    private static string Add(GraphProto graph, string a, string b, string output)
    {
        graph.Node.Add(Node("Add", [a, b], [output]));
        return output;
    }

    private static string Mul(GraphProto graph, string a, string b, string output)
    {
        graph.Node.Add(Node("Mul", [a, b], [output]));
        return output;
    }

    private static string Scalar(GraphProto graph, string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        graph.Initializer.Add(tensor);
        return name;
    }

    private static void Int64s(GraphProto graph, string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.Add(values);
        graph.Initializer.Add(tensor);
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static NodeProto Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    /// <summary>A float tensor of unknown rank and shape: the windows' rank differs from case to case.</summary>
    private static ValueInfoProto AnyFloat(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
    };

    private static byte[] Serialize(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "segml-golden", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return model.ToByteArray();
    }
}
