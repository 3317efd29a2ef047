using Google.Protobuf;
using Microsoft.ML.Segmentation.Training;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Onnx.TestModels;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// A two-map backbone small enough for fast training tests, in opset 8 like ML.NET's ResNet-18 so the export raises it:
/// a 1x1 Conv of RGB (0..1) to 4 channels, BatchNormalization with <c>spatial</c>, Relu (stride 1), then a 2x2
/// AveragePool of that (stride 2). Pixel colour is linearly readable from the stride-1 map.
/// </summary>
internal static class ColourBackbone
{
    public static FeatureBackbone Load(int sizeMultiple = 16)
    {
        var graph = NewGraph(
            FloatInput("image", Dim("N"), Dim(3), Dim("H"), Dim("W")),
            Initializer("w", [1, 0, 0, 0, 1, 0, 0, 0, 1, -1, 0.5f, 0.5f], 4, 3, 1, 1),
            Initializer("b", [0.1f, 0.1f, 0.1f, 0.5f], 4),
            Initializer("bn_s", [1, 1.5f, 1, 2], 4),
            Initializer("bn_b", [0, 0.1f, 0, 0], 4),
            Initializer("bn_m", [0.1f, 0, 0.05f, 0], 4),
            Initializer("bn_v", [1, 1, 0.5f, 1], 4));
        graph.Node.Add(Node("Conv", ["image", "w", "b"], ["conv"]));
        NodeProto bn = Node("BatchNormalization", ["conv", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"]);
        bn.Attribute.Add(new AttributeProto { Name = "spatial", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(bn);
        graph.Node.Add(Node("Relu", ["bn"], ["f1"]));
        NodeProto pool = Node("AveragePool", ["f1"], ["f2"]);
        pool.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        pool.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        graph.Node.Add(pool);
        graph.Output.Add(FloatOutput("f2", Dim("N"), Dim(4), Dim("h"), Dim("w")));
        var model = new ModelProto { IrVersion = 4, ProducerName = "segml-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 8 });
        return FeatureBackbone.Load(model.ToByteArray(), new BackboneOptions
        {
            Features = [new BackboneFeature("f1", 1), new BackboneFeature("f2", 2)],
            SizeMultiple = sizeMultiple,
        });
    }
}
