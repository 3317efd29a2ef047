using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Imaging;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>Prepends <see cref="OnnxInputNormalizationOptions"/> to a model (see <see cref="OnnxGraphEditor.PrependNormalization"/>).</summary>
internal static class OnnxNormalizationWriter
{
    private const int Channels = 3;

    public static byte[] Prepend(byte[] model, OnnxInputNormalizationOptions normalization, string? inputName)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        (float[] multiplier, float[] offset) = Affine(normalization);
        ModelProto proto = Parse(model, nameof(model));
        GraphProto graph = proto.Graph;
        long opset = DefaultOpset(proto, nameof(model)).Version;
        ValueInfoProto image = FindImageInput(graph, inputName, nameof(inputName));
        if (Fixed(Dims(image)[1]) is long c && c != Channels)
        {
            throw new ArgumentException($"The input '{image.Name}' takes {c} channels; raw RGB pixels give {Channels}.", nameof(model));
        }

        var builder = new OnnxGraphBuilder(graph, opset);

        // The raw input keeps the original name, so callers feed the same input; the model's nodes read a fresh name.
        string normalized = builder.Fresh("normalized");
        Rename(graph, image.Name, normalized);
        int before = graph.Node.Count;
        string current = image.Name;
        if (normalization.PixelType == OnnxPixelType.UInt8)
        {
            current = builder.Add("Cast", "pixels", [current], OnnxGraphBuilder.Int("to", FloatType));
        }

        if (normalization.ChannelOrder == ChannelOrder.Bgr)
        {
            current = builder.Add("Gather", "bgr", [current, builder.Int64s("bgr_order", 2, 1, 0)], OnnxGraphBuilder.Int("axis", 1));
        }

        // Multiply then add, as SegML's image loader does, so the tensors agree to the bit.
        string scaled = builder.Add("Mul", "scaled", [current, builder.Floats("multiplier", [1, Channels, 1, 1], multiplier)]);
        builder.AddTo("Add", [scaled, builder.Floats("offset", [1, Channels, 1, 1], offset)], normalized);

        // The new nodes were appended; ONNX wants a topological order, so they move to the front.
        List<NodeProto> appended = graph.Node.Skip(before).ToList();
        List<NodeProto> original = graph.Node.Take(before).ToList();
        graph.Node.Clear();
        graph.Node.Add(appended);
        graph.Node.Add(original);

        int elementType = normalization.PixelType == OnnxPixelType.UInt8 ? UInt8Type : FloatType;
        image.Type.TensorType.ElemType = elementType;
        image.Type.TensorType.Shape.Dim[1] = Dim(Channels);
        return Serialize(proto);
    }

    /// <summary>Per model channel: value = pixel · multiplier + offset, as <c>((pixel·scale) − mean) / std</c>.</summary>
    private static (float[] Multiplier, float[] Offset) Affine(OnnxInputNormalizationOptions normalization)
    {
        if (!Enum.IsDefined(normalization.ChannelOrder) || !Enum.IsDefined(normalization.PixelType))
        {
            throw new ArgumentOutOfRangeException(nameof(normalization), "ChannelOrder or PixelType is not a defined value.");
        }

        float scale = normalization.ScaleToUnit ? 1f / 255f : 1f;
        var multiplier = new float[Channels];
        var offset = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            // Mean and Std are in RGB order; model channel c holds RGB channel c, or 2 − c for BGR.
            int rgb = normalization.ChannelOrder == ChannelOrder.Bgr ? Channels - 1 - c : c;
            float mean = PerChannel(normalization.Mean, rgb, 0f, nameof(normalization.Mean));
            float std = PerChannel(normalization.Std, rgb, 1f, nameof(normalization.Std));
            if (!(std > 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            {
                throw new ArgumentException($"Std[{rgb}] ({std}) must be finite and > 0, Mean[{rgb}] ({mean}) finite.", nameof(normalization));
            }

            multiplier[c] = scale / std;
            offset[c] = -mean / std;
        }

        return (multiplier, offset);
    }

    private static float PerChannel(IReadOnlyList<float>? values, int channel, float fallback, string name) => values switch
    {
        null => fallback,
        { Count: 1 } => values[0],
        { Count: Channels } => values[channel],
        _ => throw new ArgumentException($"{name} has {values.Count} values; give 1 or {Channels}.", "normalization"),
    };

    private static void Rename(GraphProto graph, string from, string to)
    {
        foreach (NodeProto node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }

            foreach (AttributeProto attribute in node.Attribute)
            {
                // Sub-graphs may read the image from the outer scope.
                if (attribute.G is not null)
                {
                    Rename(attribute.G, from, to);
                }

                foreach (GraphProto sub in attribute.Graphs)
                {
                    Rename(sub, from, to);
                }
            }
        }

        if (graph.Output.Any(o => o.Name == from))
        {
            throw new NotSupportedException($"The input '{from}' is also an output of the graph; normalisation cannot be prepended to it.");
        }
    }
}
