using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>How SegML writes ONNX inputs, outputs and shapes in its messages and layouts: <c>Float [batch,3,height,width]</c>.</summary>
internal static class OnnxNodeText
{
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

    /// <summary>A node's element type and shape, or its value type when it is not a tensor.</summary>
    internal static string DescribeNode(NodeMetadata metadata) =>
        metadata.IsTensor ? $"{metadata.ElementDataType} {FormatShape(metadata)}" : metadata.OnnxValueType.ToString();

    /// <summary>Every input and output of the session with its type and shape, appended to messages so the user sees what the model has.</summary>
    internal static string Describe(InferenceSession session)
    {
        static string List(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
            string.Join(", ", nodes.Select(kv => $"'{kv.Key}' {DescribeNode(kv.Value)}"));
        return $"Inputs: {List(session.InputMetadata)}. Outputs: {List(session.OutputMetadata)}.";
    }
}
