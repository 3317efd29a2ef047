using Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

internal static partial class TestModels
{
    /// <summary>The conv head with its batch fixed at <paramref name="batch"/> (H and W dynamic): <c>logits</c> [batch,4,H,W].</summary>
    public static byte[] FixedBatchHead(int batch)
    {
        GraphProto graph = NewGraph(
            FloatInput("image", Dim(batch), Dim(3), Dim("H"), Dim("W")), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim(batch), Dim(Classes), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>The conv head + ArgMax, cast to Int32: <c>mask</c> int32 [N,H,W].</summary>
    public static byte[] ArgmaxMaskInt32()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        NodeProto argmax = Node("ArgMax", ["logits"], ["wide"]);
        argmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        argmax.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(argmax);
        NodeProto cast = Node("Cast", ["wide"], ["mask"]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Int32 });
        graph.Node.Add(cast);
        graph.Output.Add(Output("mask", TensorProto.Types.DataType.Int32, Dim("N"), Dim("H"), Dim("W")));
        return Serialize(graph);
    }
}
