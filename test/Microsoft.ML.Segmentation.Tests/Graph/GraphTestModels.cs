using Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using static Microsoft.ML.Segmentation.Tests.Onnx.TestModels;

namespace Microsoft.ML.Segmentation.Tests.Graph;

/// <summary>Models for the graph-editing tests, built like <see cref="TestModels"/> but at a chosen opset or scale.</summary>
internal static class GraphTestModels
{
    public static readonly float[] BinaryWeights = [1.0f, -2.0f, 0.5f];
    public static readonly float[] BinaryBias = [0.25f];

    /// <summary>The conv head <c>logits</c> [N,4,H,W] at <paramref name="opset"/>.</summary>
    public static byte[] ConvHead(long opset)
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        return Serialize(graph, opset);
    }

    /// <summary>4×4 average pooling then the conv head: <c>logits</c> [N,4,H/4,W/4] at <paramref name="opset"/>.</summary>
    public static byte[] Stride4Head(long opset)
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        NodeProto pool = Node("AveragePool", ["image"], ["pooled"]);
        pool.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 4, 4 } });
        pool.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 4, 4 } });
        graph.Node.Add(pool);
        graph.Node.Add(Node("Conv", ["pooled", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("h4"), Dim("w4")));
        return Serialize(graph, opset);
    }

    /// <summary>The conv head tiled to <c>[N,4,ry·H,rx·W]</c>: scores larger than the input, for downsampling.</summary>
    public static byte[] TiledHead(int rowRepeats, int columnRepeats)
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        var repeats = new TensorProto { Name = "repeats", DataType = (int)TensorProto.Types.DataType.Int64 };
        repeats.Dims.Add(4);
        repeats.Int64Data.Add([1, 1, rowRepeats, columnRepeats]);
        graph.Initializer.Add(repeats);
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["head"]));
        graph.Node.Add(Node("Tile", ["head", "repeats"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("big_h"), Dim("big_w")));
        return Serialize(graph);
    }

    /// <summary>One-channel conv without activation: <c>z</c> logits [N,1,H,W].</summary>
    public static byte[] BinaryLogits()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", BinaryWeights, 1, 3, 1, 1), Initializer("B", BinaryBias, 1));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["z"]));
        graph.Output.Add(FloatOutput("z", Dim("N"), Dim(1), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>The conv head plus unused constants named as the editor would name its own tensors.</summary>
    public static byte[] ConvHeadWithEditorNames()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        foreach (string hint in new[] { "argmax", "resized", "scores_shape", "input_shape", "nk", "hw", "start", "end", "axis0", "sizes", "softmax", "index", "counted" })
        {
            for (int i = 0; i < 40; i++)
            {
                graph.Initializer.Add(Initializer($"segml_{hint}_{i}", [0f], 1));
            }
        }

        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        return Serialize(graph);
    }
}
