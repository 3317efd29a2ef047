using System;
using System.Collections.Generic;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>Fixes the image input's batch, height and width (see <see cref="OnnxGraphEditor.FixImageSize"/>).</summary>
internal static class OnnxShapeFixer
{
    public static byte[] Fix(byte[] model, int height, int width, int batch, string? inputName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ModelProto proto = Parse(model, nameof(model));
        GraphProto graph = proto.Graph;
        ValueInfoProto image = FindImageInput(graph, inputName, nameof(inputName), acceptBytes: true);
        Google.Protobuf.Collections.RepeatedField<TensorShapeProto.Types.Dimension> dims = image.Type.TensorType.Shape.Dim;
        long[] wanted = [batch, -1, height, width];
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (int axis in (int[])[0, 2, 3])
        {
            if (Fixed(dims[axis]) is long value && value != wanted[axis])
            {
                throw new ArgumentException(
                    $"The input '{image.Name}' fixes dimension {axis} at {value}; {wanted[axis]} was asked for.", axis == 0 ? nameof(batch) : axis == 2 ? nameof(height) : nameof(width));
            }

            if (!string.IsNullOrEmpty(dims[axis].DimParam))
            {
                symbols[dims[axis].DimParam] = wanted[axis];
            }

            dims[axis] = Dim(wanted[axis]);
        }

        // Outputs that share the input's symbols (a mask [N,H,W] at the input's size) get the same values, so hosts
        // that read output shapes from the model (ML.NET's ApplyOnnxModel) see fixed sizes.
        foreach (ValueInfoProto value in graph.Output)
        {
            Substitute(value, symbols);
        }

        foreach (ValueInfoProto value in graph.Input)
        {
            Substitute(value, symbols);
        }

        return Serialize(proto);
    }

    private static void Substitute(ValueInfoProto value, Dictionary<string, long> symbols)
    {
        if (value.Type?.TensorType?.Shape is not { } shape)
        {
            return;
        }

        for (int i = 0; i < shape.Dim.Count; i++)
        {
            if (!string.IsNullOrEmpty(shape.Dim[i].DimParam) && symbols.TryGetValue(shape.Dim[i].DimParam, out long fixedValue))
            {
                shape.Dim[i] = Dim(fixedValue);
            }
        }
    }
}
