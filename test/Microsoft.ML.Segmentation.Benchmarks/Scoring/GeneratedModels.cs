using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// ONNX graphs built in code (OnnxSharp) for the scoring benchmarks: a convolutional network heavy enough that the
/// model, not decoding, dominates; and a copy of any model with ImageNet normalisation prepended as ONNX nodes, so the
/// stock ML.NET path (whose pixel extraction has one scale and offset for all channels) does the same per-channel work.
/// </summary>
internal static class GeneratedModels
{
    /// <summary>The class count of <see cref="ConvNet"/>: Pascal VOC's 21.</summary>
    public const int ConvNetClasses = 21;

    /// <summary>
    /// <c>input</c> [N,3,H,W] → 3×3 Conv 32 + Relu → 3×3 Conv 64 stride 2 + Relu → three 3×3 Conv 64 + Relu → 1×1 Conv 21
    /// → bilinear Resize ×2 → <c>out</c> logits [N,21,H,W] (H and W even). About 2.2 GMAC per 256×256 image. Weights are
    /// seeded He-uniform, so the logits stay finite and the argmax is not a constant.
    /// </summary>
    public static byte[] ConvNet(int seed = 20261128)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "segml_bench_convnet" };
        graph.Input.Add(FloatValue("input", Dim("N"), Dim(3), Dim("H"), Dim("W")));
        string x = "input";
        x = Conv(graph, random, x, "c1", 3, 32, kernel: 3, stride: 1, relu: true);
        x = Conv(graph, random, x, "c2", 32, 64, kernel: 3, stride: 2, relu: true);
        x = Conv(graph, random, x, "c3", 64, 64, kernel: 3, stride: 1, relu: true);
        x = Conv(graph, random, x, "c4", 64, 64, kernel: 3, stride: 1, relu: true);
        x = Conv(graph, random, x, "c5", 64, 64, kernel: 3, stride: 1, relu: true);
        x = Conv(graph, random, x, "head", 64, ConvNetClasses, kernel: 1, stride: 1, relu: false);
        graph.Initializer.Add(Tensor("scales", [1f, 1f, 2f, 2f], 4));
        NodeProto resize = Node("Resize", [x, string.Empty, "scales"], "out"); // "" skips the optional roi input
        resize.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("linear") });
        graph.Node.Add(resize);
        graph.Output.Add(FloatValue("out", Dim("N"), Dim(ConvNetClasses), Dim("H"), Dim("W")));
        var model = new ModelProto { IrVersion = 8, ProducerName = "segml-benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>
    /// <c>input</c> [N,3,H,W] → 1×1 Conv <paramref name="classes"/> → <c>out</c> logits [N,C,H,W]: a model so cheap that
    /// a memory run over thousands of images measures the pipeline's buffers, not the network's time.
    /// </summary>
    public static byte[] PixelwiseNet(int classes, int seed = 20261128)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "segml_bench_pixelwise" };
        graph.Input.Add(FloatValue("input", Dim("N"), Dim(3), Dim("H"), Dim("W")));
        string x = Conv(graph, random, "input", "head", 3, classes, kernel: 1, stride: 1, relu: false);
        graph.Node.Add(Node("Identity", [x], "out"));
        graph.Output.Add(FloatValue("out", Dim("N"), Dim(classes), Dim("H"), Dim("W")));
        var model = new ModelProto { IrVersion = 8, ProducerName = "segml-benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>
    /// The model with a new input <paramref name="newInputName"/> (pixels in [0,1]) feeding <c>(x − mean) / std</c>
    /// per channel into the original input: what SegML's loader does in managed code, done here by ONNX Runtime.
    /// </summary>
    public static byte[] WithNormalization(byte[] modelBytes, string newInputName, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(modelBytes);
        GraphProto graph = model.Graph;
        ValueInfoProto original = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name));
        ValueInfoProto pixels = original.Clone();
        pixels.Name = newInputName;
        graph.Input.Remove(original);
        graph.Input.Insert(0, pixels);
        graph.Initializer.Add(Tensor("segml_mean", [.. mean], 1, 3, 1, 1));
        graph.Initializer.Add(Tensor("segml_std", [.. std], 1, 3, 1, 1));
        // Nodes must stay in topological order: the two new ones come first.
        graph.Node.Insert(0, Node("Div", ["segml_centred", "segml_std"], original.Name));
        graph.Node.Insert(0, Node("Sub", [newInputName, "segml_mean"], "segml_centred"));
        return model.ToByteArray();
    }

    private static string Conv(GraphProto graph, Random random, string input, string name, int inChannels, int outChannels, int kernel, int stride, bool relu)
    {
        int fanIn = inChannels * kernel * kernel;
        float bound = MathF.Sqrt(6f / fanIn);
        var weights = new float[outChannels * fanIn];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }

        var bias = new float[outChannels];
        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = (float)((random.NextDouble() - 0.5) * 0.2);
        }

        graph.Initializer.Add(Tensor(name + "_w", weights, outChannels, inChannels, kernel, kernel));
        graph.Initializer.Add(Tensor(name + "_b", bias, outChannels));
        string output = relu ? name + "_z" : name;
        NodeProto conv = Node("Conv", [input, name + "_w", name + "_b"], output);
        int pad = kernel / 2;
        conv.Attribute.Add(Ints("kernel_shape", kernel, kernel));
        conv.Attribute.Add(Ints("pads", pad, pad, pad, pad));
        conv.Attribute.Add(Ints("strides", stride, stride));
        graph.Node.Add(conv);
        if (!relu)
        {
            return output;
        }

        graph.Node.Add(Node("Relu", [output], name));
        return name;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        tensor.FloatData.Add(values);
        return tensor;
    }

    private static NodeProto Node(string opType, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{output}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto FloatValue(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };
}
