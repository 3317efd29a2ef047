using Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

internal static partial class TestModels
{
    /// <summary>
    /// A 3×3 convolution head (padding 1) with fixed pseudo-random weights: <c>logits</c> [N,classes,H,W], or
    /// <c>probabilities</c> through a channel Softmax, or for one class <c>foreground</c> through a Sigmoid. Its
    /// output at a pixel depends on the neighbours, so tiles see borders and blending changes the scores.
    /// </summary>
    public static byte[] SpatialHead(int classes, bool activation = false, int seed = 7)
    {
        var random = new Random(seed);
        float[] weights = Enumerable.Range(0, classes * 3 * 9).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] bias = Enumerable.Range(0, classes).Select(_ => (float)((random.NextDouble() * 0.4) - 0.2)).ToArray();
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", weights, classes, 3, 3, 3), Initializer("B", bias, classes));
        NodeProto conv = Node("Conv", ["image", "W", "B"], ["logits"]);
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        graph.Node.Add(conv);
        string output = "logits";
        if (activation)
        {
            output = classes == 1 ? "foreground" : "probabilities";
            NodeProto node = Node(classes == 1 ? "Sigmoid" : "Softmax", ["logits"], [output]);
            if (classes > 1)
            {
                node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            }

            graph.Node.Add(node);
        }

        graph.Output.Add(FloatOutput(output, Dim("N"), Dim(classes), Dim("H"), Dim("W")));
        return Serialize(graph);
    }
}
