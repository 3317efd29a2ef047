using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Turns a classification graph into a feature extractor: the chosen internal tensors become the outputs, everything
/// they do not depend on goes, and the image input takes any batch, height and width.
/// </summary>
internal static class OnnxFeatureCut
{
    /// <summary>A tensor to expose, with its channel count when known (0 leaves the dimension open).</summary>
    public readonly record struct CutOutput(string Name, long Channels);

    public static void Apply(ModelProto model, string inputName, IReadOnlyList<CutOutput> outputs, bool dynamicInput, string parameterName)
    {
        GraphProto graph = model.Graph;
        var produced = new HashSet<string>(graph.Node.SelectMany(n => n.Output), StringComparer.Ordinal);
        produced.UnionWith(graph.Input.Select(i => i.Name));
        foreach (CutOutput output in outputs)
        {
            if (!produced.Contains(output.Name))
            {
                throw new ArgumentException($"The model has no tensor named '{output.Name}' to expose as a feature output. {Describe(graph)}", parameterName);
            }
        }

        // The export's shapes know the channels even where the caller does not; batch and size are stale.
        var known = graph.ValueInfo.Concat(graph.Output).Where(v => Dims(v).Count == 4 && Fixed(Dims(v)[1]) is > 0)
            .GroupBy(v => v.Name).ToDictionary(g => g.Key, g => Fixed(Dims(g.First())[1])!.Value, StringComparer.Ordinal);
        graph.Output.Clear();
        foreach (CutOutput declared in outputs)
        {
            CutOutput output = declared.Channels > 0 || !known.TryGetValue(declared.Name, out long channels) ? declared : declared with { Channels = channels };
            // H and W stay unnamed: an empty shape would declare rank 0 and make ONNX Runtime warn when it merges shapes.
            graph.Output.Add(Tensor(output.Name, FloatType, [Dim("N"), output.Channels > 0 ? Dim(output.Channels) : new(), new(), new()]));
        }

        Prune(graph);

        // Stale shapes from the export size would contradict the new sizes; ONNX Runtime infers them again.
        graph.ValueInfo.Clear();
        if (dynamicInput)
        {
            ValueInfoProto input = graph.Input.First(i => i.Name == inputName);
            TensorShapeProto.Types.Dimension channels = Dims(input)[1].Clone();
            input.Type.TensorType.Shape.Dim.Clear();
            input.Type.TensorType.Shape.Dim.Add([Dim("N"), channels, Dim("H"), Dim("W")]);
        }
    }

    /// <summary>Keeps only the nodes the outputs need, and only the initializers and inputs those nodes read.</summary>
    public static void Prune(GraphProto graph)
    {
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            NodeProto node = graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                needed.UnionWith(node.Input.Where(n => n.Length > 0));
                needed.UnionWith(SubgraphInputs(node));
            }
        }

        kept.Reverse();
        graph.Node.Clear();
        graph.Node.Add(kept);
        var dropped = new HashSet<string>(graph.Initializer.Where(t => !needed.Contains(t.Name)).Select(t => t.Name), StringComparer.Ordinal);
        List<TensorProto> initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.Add(initializers);

        // IR < 4 lists weights as inputs too; a dropped weight's input entry would dangle. Real inputs always stay.
        List<ValueInfoProto> inputs = graph.Input.Where(i => !dropped.Contains(i.Name)).ToList();
        graph.Input.Clear();
        graph.Input.Add(inputs);
    }

    /// <summary>Names a node's sub-graphs (If, Loop, Scan) read from the outer scope; all their inputs count as used.</summary>
    private static IEnumerable<string> SubgraphInputs(NodeProto node) =>
        node.Attribute.Where(a => a.G is not null).Select(a => a.G)
            .Concat(node.Attribute.SelectMany(a => a.Graphs))
            .SelectMany(g => g.Node.SelectMany(n => n.Input).Concat(g.Node.SelectMany(SubgraphInputs)));
}
