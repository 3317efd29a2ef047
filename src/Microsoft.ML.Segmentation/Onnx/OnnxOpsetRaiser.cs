using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Raises an old backbone graph (opset below 11, such as the opset-8 CNTK ResNet-18) to opset 13 so that ops of later
/// opsets (Resize with <c>half_pixel</c>) can be appended to it, for the op types whose results do not change between.
/// </summary>
internal static class OnnxOpsetRaiser
{
    public const long TargetOpset = 13;

    // Opset 11 is the first whose Resize has half_pixel and whose ArgMax the post-processing writer uses.
    private const long MinimumUnraised = 11;

    // Ops whose outputs for the same attributes are identical from opset 7 to 13: later versions only added types,
    // optional attributes with backward-compatible defaults (MaxPool/AveragePool ceil_mode, dilations) or, for
    // BatchNormalization, dropped the `spatial` attribute whose only value kept since is 1.
    private static readonly HashSet<string> Unchanged = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Sum", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Conv", "BatchNormalization",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Concat", "Identity",
    };

    /// <summary>Raises <paramref name="model"/> in place when its default opset is below 11; returns the opset it then has.</summary>
    /// <exception cref="NotSupportedException">The graph holds an op whose meaning may change with the opset.</exception>
    public static long RaiseIfOld(ModelProto model, string parameterName)
    {
        OperatorSetIdProto opset = DefaultOpset(model, parameterName);
        if (opset.Version >= MinimumUnraised)
        {
            return opset.Version;
        }

        NodeProto? unknown = model.Graph.Node.FirstOrDefault(n => n.Domain is "" or "ai.onnx" && !Unchanged.Contains(n.OpType));
        if (unknown is not null)
        {
            throw new NotSupportedException(
                $"The backbone imports opset {opset.Version}; appending a head needs opset {MinimumUnraised} or more, and its {unknown.OpType} node '{unknown.Name}' may compute differently after raising the opset. Convert the backbone to opset {MinimumUnraised} or more first.");
        }

        foreach (NodeProto node in model.Graph.Node.Where(n => n.OpType == "BatchNormalization"))
        {
            AttributeProto? spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
            if (spatial is null)
            {
                continue;
            }

            if (spatial.I != 1)
            {
                throw new NotSupportedException(
                    $"The BatchNormalization node '{node.Name}' has spatial={spatial.I}; opset 9 and later normalise per channel only (spatial=1), so the backbone cannot be raised to opset {TargetOpset}.");
            }

            node.Attribute.Remove(spatial);
        }

        opset.Version = TargetOpset;

        // Opset 13 belongs to IR version 7.
        model.IrVersion = Math.Max(model.IrVersion, 7);
        return TargetOpset;
    }
}
