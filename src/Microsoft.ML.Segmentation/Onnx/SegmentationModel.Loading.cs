using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Segmentation.Onnx;

public sealed partial class SegmentationModel
{
    // Ops that move or resize scores without changing what they mean: detection looks through them.
    private static readonly HashSet<string> s_passThroughOps = new(StringComparer.Ordinal)
    {
        "Identity", "Reshape", "Transpose", "Resize", "Upsample", "Squeeze", "Unsqueeze", "Flatten", "Cast", "Slice",
    };

    private static string SelectInput(InferenceSession session, OnnxSessionOptions options, string modelName)
    {
        IReadOnlyDictionary<string, NodeMetadata> inputs = session.InputMetadata;
        string name;
        if (options.InputName is not null)
        {
            if (!inputs.ContainsKey(options.InputName))
            {
                throw new ArgumentException(
                    $"The model '{modelName}' has no input named '{options.InputName}'. {Describe(session)}", nameof(options));
            }

            name = options.InputName;
            if (!IsRank4Float(inputs[name]))
            {
                throw new ArgumentException(
                    $"The input '{name}' of '{modelName}' is {DescribeNode(inputs[name])}; an image input must be float [N,C,H,W]. {Describe(session)}", nameof(options));
            }
        }
        else
        {
            string[] candidates = inputs.Where(kv => IsRank4Float(kv.Value)).Select(kv => kv.Key).ToArray();
            if (candidates.Length != 1)
            {
                string problem = candidates.Length == 0
                    ? "has no rank-4 float input [N,C,H,W]"
                    : $"has {candidates.Length} rank-4 float inputs ({string.Join(", ", candidates)}); set InputName to choose one";
                throw new InvalidOperationException($"The model '{modelName}' {problem}. {Describe(session)}");
            }

            name = candidates[0];
        }

        string[] others = inputs.Keys.Where(k => k != name).ToArray();
        if (others.Length > 0)
        {
            throw new InvalidOperationException(
                $"The model '{modelName}' has inputs besides the image input '{name}' ({string.Join(", ", others)}); a segmentation model must need only the image. {Describe(session)}");
        }

        return name;
    }

    private static string SelectOutput(InferenceSession session, OnnxSessionOptions options, string modelName)
    {
        IReadOnlyDictionary<string, NodeMetadata> outputs = session.OutputMetadata;
        if (options.OutputName is not null)
        {
            if (!outputs.TryGetValue(options.OutputName, out NodeMetadata? metadata))
            {
                throw new ArgumentException(
                    $"The model '{modelName}' has no output named '{options.OutputName}'. {Describe(session)}", nameof(options));
            }

            if (!IsRank4Float(metadata) && !IsMask(metadata))
            {
                throw new ArgumentException(
                    $"The output '{options.OutputName}' of '{modelName}' is {DescribeNode(metadata)}; a segmentation output must be float [N,C,H,W] or an integer mask [N,H,W] or [N,1,H,W]. {Describe(session)}", nameof(options));
            }

            return options.OutputName;
        }

        foreach (var kv in outputs)
        {
            if (IsRank4Float(kv.Value))
            {
                return kv.Key;
            }
        }

        foreach (var kv in outputs)
        {
            if (IsMask(kv.Value))
            {
                return kv.Key;
            }
        }

        throw new InvalidOperationException(
            $"The model '{modelName}' has no output a segmentation model can give: float [N,C,H,W] scores or an integer mask [N,H,W] or [N,1,H,W]. {Describe(session)}");
    }

    private static SegmentationOutputKind DetectOutputKind(NodeMetadata output, string outputName, IReadOnlyList<OnnxNodeInfo> nodes)
    {
        if (output.ElementDataType != TensorElementType.Float)
        {
            return SegmentationOutputKind.Mask;
        }

        return EndsInActivation(outputName, nodes) ? SegmentationOutputKind.Probabilities : SegmentationOutputKind.Logits;
    }

    /// <summary>Whether <paramref name="outputName"/> comes from Softmax or Sigmoid, looking through ops that only move or resize scores.</summary>
    internal static bool EndsInActivation(string outputName, IReadOnlyList<OnnxNodeInfo> nodes)
    {
        var producers = new Dictionary<string, OnnxNodeInfo>(StringComparer.Ordinal);
        foreach (OnnxNodeInfo node in nodes)
        {
            foreach (string produced in node.Outputs)
            {
                producers[produced] = node;
            }
        }

        string current = outputName;
        for (int steps = 0; steps < 64 && producers.TryGetValue(current, out OnnxNodeInfo producer); steps++)
        {
            if (producer.OpType is "Softmax" or "Sigmoid")
            {
                return true;
            }

            if (!s_passThroughOps.Contains(producer.OpType) || producer.Inputs.Count == 0)
            {
                break;
            }

            current = producer.Inputs[0];
        }

        return false;
    }

    private static bool IsRank4Float(NodeMetadata metadata) =>
        metadata.IsTensor && metadata.ElementDataType == TensorElementType.Float && metadata.Dimensions.Length == 4;

    private static bool IsMask(NodeMetadata metadata) =>
        metadata.IsTensor
        && metadata.ElementDataType is TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.UInt8
        && (metadata.Dimensions.Length == 3 || (metadata.Dimensions.Length == 4 && metadata.Dimensions[1] is 1 or -1));

    /// <summary>Formats a shape with symbolic names where the model gives them: <c>[batch,3,height,width]</c>.</summary>
    internal static string FormatShape(NodeMetadata metadata)
    {
        var builder = new StringBuilder("[");
        for (int i = 0; i < metadata.Dimensions.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            string symbol = i < metadata.SymbolicDimensions.Length ? metadata.SymbolicDimensions[i] : string.Empty;
            builder.Append(metadata.Dimensions[i] >= 0 ? metadata.Dimensions[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : string.IsNullOrEmpty(symbol) ? "?" : symbol);
        }

        return builder.Append(']').ToString();
    }

    private static string DescribeNode(NodeMetadata metadata) =>
        metadata.IsTensor ? $"{metadata.ElementDataType} {FormatShape(metadata)}" : metadata.OnnxValueType.ToString();

    private static string Describe(InferenceSession session)
    {
        static string List(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
            string.Join(", ", nodes.Select(kv => $"'{kv.Key}' {DescribeNode(kv.Value)}"));
        return $"Inputs: {List(session.InputMetadata)}. Outputs: {List(session.OutputMetadata)}.";
    }
}
