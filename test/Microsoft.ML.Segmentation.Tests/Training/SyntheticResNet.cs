using Google.Protobuf;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Onnx.TestModels;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// A tiny stand-in for ML.NET's CNTK ResNet18.onnx: the same op types (Conv with CNTK's uneven pads, opset-8
/// BatchNormalization with <c>spatial</c>, Relu, Add, MaxPool, AveragePool), the same tensor names at the stage ends,
/// fixed 224-style shapes in <c>value_info</c>, a layer4 and pooling the cut must drop, and an unused weight.
/// </summary>
internal static class SyntheticResNet
{
    private static readonly (string Name, int Channels, int Stride)[] Stages =
    [
        ("ReLU283_Output_0", 4, 4),
        ("ReLU315_Output_0", 6, 8),
        ("ReLU347_Output_0", 8, 16),
        ("ReLU393_Output_0", 8, 32),
    ];

    /// <summary>The graph for a fixed [1,3,H,W] input, like the original export.</summary>
    public static ModelProto Build(int height, int width, int seed = 7)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "CNTKGraph" };
        graph.Input.Add(FloatInput("Input247", Dim(1), Dim(3), Dim(height), Dim(width)));
        int n = 0;
        string Weights(int outC, int inC, int k)
        {
            string name = n == 0 ? "Parameter91" : $"W{n}";
            n++;
            // conv1 reads 0..255; small weights keep every stage's values near 1, where float tolerances mean something.
            graph.Initializer.Add(Initializer(name, Random(random, outC * inC * k * k, n == 1 ? 0.004f : 0.4f), outC, inC, k, k));
            return name;
        }

        string Conv(string x, int inC, int outC, int k, int stride, long[] pads)
        {
            string w = Weights(outC, inC, k);
            string y = $"conv{n}";
            NodeProto node = Node("Conv", [x, w], [y]);
            node.Attribute.Add(Ints("kernel_shape", k, k));
            node.Attribute.Add(Ints("strides", stride, stride));
            node.Attribute.Add(Ints("pads", pads));
            graph.Node.Add(node);
            return BatchNorm(y, outC);
        }

        string BatchNorm(string x, int c)
        {
            string p = $"bn{n}";
            graph.Initializer.Add(Initializer(p + "_s", Random(random, c, 0.5f).Select(v => v + 1).ToArray(), c));
            graph.Initializer.Add(Initializer(p + "_b", Random(random, c, 0.2f), c));
            graph.Initializer.Add(Initializer(p + "_m", Random(random, c, 0.1f), c));
            graph.Initializer.Add(Initializer(p + "_v", Random(random, c, 0.2f).Select(v => v + 0.8f).ToArray(), c));
            NodeProto node = Node("BatchNormalization", [x, p + "_s", p + "_b", p + "_m", p + "_v"], [p]);
            node.Attribute.Add(new AttributeProto { Name = "spatial", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            node.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = 1e-5f });
            graph.Node.Add(node);
            return p;
        }

        string Relu(string x, string? name = null)
        {
            string y = name ?? $"relu{graph.Node.Count}";
            graph.Node.Add(Node("Relu", [x], [y]));
            return y;
        }

        // Stem: 7x7/2 conv with pads begin 3, end 2; 3x3/2 max pool with pads begin 1, end 0.
        string x = Relu(Conv("Input247", 3, 4, 7, 2, [3, 3, 2, 2]), "ReLU253_Output_0");
        NodeProto pool = Node("MaxPool", [x], ["Pooling255_Output_0"]);
        pool.Attribute.Add(Ints("kernel_shape", 3, 3));
        pool.Attribute.Add(Ints("strides", 2, 2));
        pool.Attribute.Add(Ints("pads", 1, 1, 0, 0));
        graph.Node.Add(pool);
        x = "Pooling255_Output_0";
        int channels = 4;

        // layer1: identity shortcut; later layers: 3x3/2 main branch (pads 1,1,0,0) and 1x1/2 shortcut (no pads).
        string main = Relu(Conv(x, channels, channels, 3, 1, [1, 1, 1, 1]));
        main = Conv(main, channels, channels, 3, 1, [1, 1, 1, 1]);
        graph.Node.Add(Node("Add", [main, x], ["sum283"]));
        x = Relu("sum283", Stages[0].Name);
        for (int s = 1; s < Stages.Length; s++)
        {
            int outC = Stages[s].Channels;
            string branch = Relu(Conv(x, channels, outC, 3, 2, [1, 1, 0, 0]));
            branch = Conv(branch, outC, outC, 3, 1, [1, 1, 1, 1]);
            string shortcut = Conv(x, channels, outC, 1, 2, [0, 0, 0, 0]);
            graph.Node.Add(Node("Add", [branch, shortcut], [$"sum{s}"]));
            x = Relu($"sum{s}", Stages[s].Name);
            channels = outC;
        }

        NodeProto average = Node("AveragePool", [x], ["Pooling395_Output_0"]);
        average.Attribute.Add(Ints("kernel_shape", height / 32, width / 32));
        graph.Node.Add(average);
        graph.Output.Add(FloatOutput("Pooling395_Output_0", Dim(1), Dim(channels), Dim(1), Dim(1)));
        graph.Initializer.Add(Initializer("unused_weight", [1f, 2f], 2));
        foreach ((string name, int c, int stride) in Stages)
        {
            graph.ValueInfo.Add(FloatOutput(name, Dim(1), Dim(c), Dim(height / stride), Dim(width / stride)));
        }

        var model = new ModelProto { IrVersion = 4, ProducerName = "CNTK", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 8 });
        return model;
    }

    /// <summary>The unedited graph with extra outputs for internal tensors.</summary>
    public static byte[] WithOutputs(ModelProto model, params string[] names)
    {
        ModelProto copy = model.Clone();
        foreach (string name in names)
        {
            copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        }

        return copy.ToByteArray();
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static float[] Random(Random random, int count, float scale) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
}
