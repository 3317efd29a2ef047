using Google.Protobuf;
using Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// Small ONNX models built in code (OnnxSharp), with known weights, so every output can be recomputed in C#.
/// All take <c>image</c> float <c>[N,3,H,W]</c> with dynamic N, H and W unless stated.
/// </summary>
internal static partial class TestModels
{
    public const int Classes = 4;

    /// <summary>1×1 convolution weights <c>[Classes,3]</c>.</summary>
    public static readonly float[] Weights =
    [
        0.5f, -1.0f, 0.25f,
        -0.75f, 0.5f, 1.0f,
        1.5f, 0.25f, -0.5f,
        -0.25f, -0.5f, 0.75f,
    ];

    public static readonly float[] Bias = [0.1f, -0.2f, 0.3f, 0.05f];

    private static readonly float[] s_binaryWeights = [1.0f, -2.0f, 0.5f];
    private static readonly float[] s_binaryBias = [0.25f];

    /// <summary>Conv head: outputs <c>logits</c> [N,4,H,W] and, second, <c>aux</c> = Sigmoid(logits).</summary>
    public static byte[] ConvHead()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        graph.Node.Add(Node("Sigmoid", ["logits"], ["aux"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        graph.Output.Add(FloatOutput("aux", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>Conv head ending in Softmax over channels, then an Identity: <c>probabilities</c> [N,4,H,W].</summary>
    public static byte[] SoftmaxHead()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        NodeProto softmax = Node("Softmax", ["logits"], ["soft"]);
        softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(softmax);
        graph.Node.Add(Node("Identity", ["soft"], ["probabilities"]));
        graph.Output.Add(FloatOutput("probabilities", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>One-channel Conv + Sigmoid: <c>foreground</c> [N,1,H,W].</summary>
    public static byte[] BinarySigmoid()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", s_binaryWeights, 1, 3, 1, 1), Initializer("B", s_binaryBias, 1));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["z"]));
        graph.Node.Add(Node("Sigmoid", ["z"], ["foreground"]));
        graph.Output.Add(FloatOutput("foreground", Dim("N"), Dim(1), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>Conv head + ArgMax over channels (keepdims 0): <c>mask</c> int64 [N,H,W].</summary>
    public static byte[] ArgmaxMask()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        NodeProto argmax = Node("ArgMax", ["logits"], ["mask"]);
        argmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        argmax.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(argmax);
        graph.Output.Add(Output("mask", TensorProto.Types.DataType.Int64, Dim("N"), Dim("H"), Dim("W")));
        return Serialize(graph);
    }

    /// <summary>4×4 average pooling (stride 4) then the conv head: <c>logits</c> [N,4,H/4,W/4].</summary>
    public static byte[] Stride4Head()
    {
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        NodeProto pool = Node("AveragePool", ["image"], ["pooled"]);
        pool.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 4, 4 } });
        pool.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 4, 4 } });
        graph.Node.Add(pool);
        graph.Node.Add(Node("Conv", ["pooled", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("h4"), Dim("w4")));
        return Serialize(graph);
    }

    /// <summary>The conv head with a fixed input <c>[1,3,8,8]</c> and output <c>[1,4,8,8]</c>.</summary>
    public static byte[] FixedSizeHead()
    {
        GraphProto graph = NewGraph(
            FloatInput("image", Dim(1), Dim(3), Dim(8), Dim(8)), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim(1), Dim(Classes), Dim(8), Dim(8)));
        return Serialize(graph);
    }

    /// <summary>A rank-3 input <c>[N,3,L]</c> through Identity: no image input.</summary>
    public static byte[] WrongInputRank()
    {
        GraphProto graph = NewGraph(FloatInput("signal", Dim("N"), Dim(3), Dim("L")));
        graph.Node.Add(Node("Identity", ["signal"], ["same"]));
        graph.Output.Add(FloatOutput("same", Dim("N"), Dim(3), Dim("L")));
        return Serialize(graph);
    }

    /// <summary>An image input whose only output is flattened to <c>[N,3·H·W]</c>: no segmentation output.</summary>
    public static byte[] FlatOutput()
    {
        GraphProto graph = NewGraph(ImageInput());
        graph.Node.Add(Node("Flatten", ["image"], ["flat"]));
        graph.Output.Add(FloatOutput("flat", Dim("N"), Dim("F")));
        return Serialize(graph);
    }

    /// <summary>The conv head computed in C#: <c>[n,c,y,x] = B[c] + Σₖ W[c,k]·image[n,k,y,x]</c>.</summary>
    public static float[] ConvHeadReference(ReadOnlySpan<float> image, int batch, int height, int width, float[]? weights = null, float[]? bias = null)
    {
        weights ??= Weights;
        bias ??= Bias;
        int classes = bias.Length;
        int plane = height * width;
        var output = new float[batch * classes * plane];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < classes; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    double sum = bias[c];
                    for (int k = 0; k < 3; k++)
                    {
                        sum += (double)weights[(c * 3) + k] * image[(((n * 3) + k) * plane) + p];
                    }

                    output[(((n * classes) + c) * plane) + p] = (float)sum;
                }
            }
        }

        return output;
    }

    public static float[] BinaryReference(ReadOnlySpan<float> image, int batch, int height, int width)
    {
        float[] z = ConvHeadReference(image, batch, height, width, s_binaryWeights, s_binaryBias);
        return Array.ConvertAll(z, v => (float)(1.0 / (1.0 + Math.Exp(-v))));
    }

    /// <summary>Seeded random image batch in [-2, 2].</summary>
    public static float[] RandomImages(int batch, int height, int width, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * 3 * height * width];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return data;
    }

    internal static GraphProto NewGraph(ValueInfoProto input, params TensorProto[] initializers)
    {
        var graph = new GraphProto { Name = "segml_test" };
        graph.Input.Add(input);
        graph.Initializer.Add(initializers);
        return graph;
    }

    internal static byte[] Serialize(GraphProto graph, long opset = 13)
    {
        var model = new ModelProto { IrVersion = opset >= 13 ? 8 : 6, ProducerName = "segml-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        return model.ToByteArray();
    }

    internal static ValueInfoProto ImageInput() => FloatInput("image", Dim("N"), Dim(3), Dim("H"), Dim("W"));

    internal static ValueInfoProto FloatInput(string name, params TensorShapeProto.Types.Dimension[] dims) =>
        Output(name, TensorProto.Types.DataType.Float, dims);

    internal static ValueInfoProto FloatOutput(string name, params TensorShapeProto.Types.Dimension[] dims) =>
        Output(name, TensorProto.Types.DataType.Float, dims);

    internal static ValueInfoProto Output(string name, TensorProto.Types.DataType type, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    internal static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    internal static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    internal static TensorProto Initializer(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(dims);
        tensor.FloatData.Add(values);
        return tensor;
    }

    internal static NodeProto Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }
}
