using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// The edits that turn ML.NET's CNTK-exported <c>ResNet18.onnx</c> (a 224×224 classifier fed BGR 0..255 minus a mean
/// image) into a feature backbone fed planar RGB 0..255 of any size that is a multiple of 16.
/// </summary>
internal static class ResNet18Recipe
{
    public const string OriginalInput = "Input247";
    public const string Input = "image";
    public const string FirstConvWeights = "Parameter91";

    /// <summary>The stage ends: layer1 (stride 4), layer2 (8), layer3 (16), with their channels (64, 128, 256).</summary>
    public static readonly IReadOnlyList<(string Name, int Channels, int Stride)> Stages =
    [
        ("ReLU283_Output_0", 64, 4),
        ("ReLU315_Output_0", 128, 8),
        ("ReLU347_Output_0", 256, 16),
    ];

    /// <summary>
    /// Per-channel averages, in RGB order, of the 224×224 BGR mean image in ML.NET's <c>ResNetPreprocess.onnx</c>. A
    /// per-pixel image exists only at 224×224, so any other size needs one value per channel.
    /// </summary>
    public static readonly float[] RgbMean = [123.152f, 115.903f, 103.063f];

    public static void Apply(ModelProto model, IReadOnlyList<int> strides, string parameterName)
    {
        GraphProto graph = model.Graph;
        if (!graph.Input.Any(i => i.Name == OriginalInput) || graph.Initializer.All(t => t.Name != FirstConvWeights)
            || Stages.Any(s => graph.Node.All(n => !n.Output.Contains(s.Name))))
        {
            throw new ArgumentException(
                $"The model is not ML.NET's ResNet18.onnx (from Microsoft.ML.DnnImageFeaturizer.ResNet18): it lacks the input '{OriginalInput}', the weights '{FirstConvWeights}' or a stage output. {Describe(graph)}",
                parameterName);
        }

        var outputs = strides.Select(s => Stages.First(t => t.Stride == s)).Select(s => new OnnxFeatureCut.CutOutput(s.Name, 0)).ToList();
        OnnxFeatureCut.Apply(model, OriginalInput, outputs, dynamicInput: true, parameterName);
        FoldPreprocessing(graph);
    }

    /// <summary>
    /// Puts a per-channel mean subtraction in front and reverses conv1's input channels, so the graph reads RGB. The
    /// mean cannot go into conv1's bias instead: conv1 zero-pads, and the padded border would then see −mean.
    /// </summary>
    private static void FoldPreprocessing(GraphProto graph)
    {
        ValueInfoProto input = graph.Input.First(i => i.Name == OriginalInput);
        input.Name = Input;
        var mean = new TensorProto { Name = "segml_rgb_mean", DataType = FloatType };
        mean.Dims.Add([1, 3, 1, 1]);
        mean.FloatData.Add(RgbMean);
        graph.Initializer.Add(mean);
        graph.Node.Insert(0, new NodeProto { Name = "segml_mean_sub", OpType = "Sub", Input = { Input, mean.Name }, Output = { OriginalInput } });

        TensorProto weights = graph.Initializer.First(t => t.Name == FirstConvWeights);
        float[] values = ReadFloats(weights);
        int outChannels = (int)weights.Dims[0], inChannels = (int)weights.Dims[1];
        int plane = values.Length / (outChannels * inChannels);
        var swapped = new float[values.Length];
        for (int o = 0; o < outChannels; o++)
        {
            for (int c = 0; c < inChannels; c++)
            {
                values.AsSpan(((o * inChannels) + c) * plane, plane).CopyTo(swapped.AsSpan(((o * inChannels) + (inChannels - 1 - c)) * plane, plane));
            }
        }

        weights.RawData = Google.Protobuf.ByteString.Empty;
        weights.FloatData.Clear();
        weights.FloatData.Add(swapped);
    }

    private static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.FloatData.Count > 0)
        {
            return tensor.FloatData.ToArray();
        }

        // raw_data is little-endian by the ONNX spec.
        float[] values = MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[i])));
            }
        }

        return values;
    }
}
