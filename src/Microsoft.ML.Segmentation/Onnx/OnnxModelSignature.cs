using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// What SegML works out from a model's graph before running it: the image input (the one rank-4 float input, or the
/// one named), the output (float scores or an integer mask), the input's channel count, and what the output holds
/// (<see cref="SegmentationOutputKind"/>, from the options or detected from the graph).
/// </summary>
internal sealed class OnnxModelSignature
{
    // Ops that move or resize scores without changing what they mean: detection looks through them.
    private static readonly HashSet<string> s_passThroughOps = new(StringComparer.Ordinal)
    {
        "Identity", "Reshape", "Transpose", "Resize", "Upsample", "Squeeze", "Unsqueeze", "Flatten", "Cast", "Slice",
    };

    private OnnxModelSignature(string inputName, string outputName, int inputChannels, SegmentationOutputKind outputKind, bool outputKindDetected)
    {
        InputName = inputName;
        OutputName = outputName;
        InputChannels = inputChannels;
        OutputKind = outputKind;
        OutputKindDetected = outputKindDetected;
    }

    /// <summary>The image input's name.</summary>
    public string InputName { get; }

    /// <summary>The output's name.</summary>
    public string OutputName { get; }

    /// <summary>The channel count C the input needs: the declared one, or <see cref="OnnxSessionOptions.InputChannels"/> when the model leaves it dynamic.</summary>
    public int InputChannels { get; }

    /// <summary>What the output holds.</summary>
    public SegmentationOutputKind OutputKind { get; }

    /// <summary>Whether <see cref="OutputKind"/> was detected from the graph rather than set in the options.</summary>
    public bool OutputKindDetected { get; }

    /// <summary>Finds the input, the output, the channel count and the output kind of a started session.</summary>
    /// <param name="session">The session.</param>
    /// <param name="options">The names, channel count and output kind the application set, if any.</param>
    /// <param name="modelName">The model's path or name, for messages.</param>
    /// <param name="openGraph">Opens the model's bytes, read to detect the output kind when the options do not set it.</param>
    /// <exception cref="ArgumentException">A name, channel count or output kind in <paramref name="options"/> does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">No input or output fits, or the channel count is dynamic and not set.</exception>
    public static OnnxModelSignature Discover(InferenceSession session, OnnxSessionOptions options, string modelName, Func<Stream> openGraph)
    {
        string inputName = SelectInput(session, options, modelName);
        string outputName = SelectOutput(session, options, modelName);
        int channels = ResolveChannels(session, session.InputMetadata[inputName], options, modelName);
        NodeMetadata output = session.OutputMetadata[outputName];
        SegmentationOutputKind kind;
        bool detected = options.OutputKind is null;
        if (options.OutputKind is SegmentationOutputKind requested)
        {
            bool isFloat = output.ElementDataType == TensorElementType.Float;
            if (isFloat == (requested == SegmentationOutputKind.Mask))
            {
                throw new ArgumentException(
                    $"OutputKind {requested} does not fit the output '{outputName}' of '{modelName}', which is {OnnxNodeText.DescribeNode(output)}. {OnnxNodeText.Describe(session)}", nameof(options));
            }

            kind = requested;
        }
        else
        {
            using Stream graph = openGraph();
            kind = DetectOutputKind(output, outputName, OnnxGraphReader.ReadNodes(graph));
        }

        return new OnnxModelSignature(inputName, outputName, channels, kind, detected);
    }

    private static int ResolveChannels(InferenceSession session, NodeMetadata input, OnnxSessionOptions options, string modelName)
    {
        int declared = input.Dimensions[1];
        if (options.InputChannels is int wanted)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1, "options.InputChannels");
            if (declared >= 0 && declared != wanted)
            {
                throw new ArgumentException(
                    $"InputChannels ({wanted}) does not match the model '{modelName}', whose input takes {declared} channels. {OnnxNodeText.Describe(session)}", nameof(options));
            }

            return wanted;
        }

        if (declared < 0)
        {
            throw new InvalidOperationException(
                $"The model '{modelName}' leaves its input's channel count dynamic; set InputChannels. {OnnxNodeText.Describe(session)}");
        }

        return declared;
    }

    private static string SelectInput(InferenceSession session, OnnxSessionOptions options, string modelName)
    {
        IReadOnlyDictionary<string, NodeMetadata> inputs = session.InputMetadata;
        string name;
        if (options.InputName is not null)
        {
            if (!inputs.ContainsKey(options.InputName))
            {
                throw new ArgumentException(
                    $"The model '{modelName}' has no input named '{options.InputName}'. {OnnxNodeText.Describe(session)}", nameof(options));
            }

            name = options.InputName;
            if (!IsRank4Float(inputs[name]))
            {
                throw new ArgumentException(
                    $"The input '{name}' of '{modelName}' is {OnnxNodeText.DescribeNode(inputs[name])}; an image input must be float [N,C,H,W]. {OnnxNodeText.Describe(session)}", nameof(options));
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
                throw new InvalidOperationException($"The model '{modelName}' {problem}. {OnnxNodeText.Describe(session)}");
            }

            name = candidates[0];
        }

        string[] others = inputs.Keys.Where(k => k != name).ToArray();
        if (others.Length > 0)
        {
            throw new InvalidOperationException(
                $"The model '{modelName}' has inputs besides the image input '{name}' ({string.Join(", ", others)}); a segmentation model must need only the image. {OnnxNodeText.Describe(session)}");
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
                    $"The model '{modelName}' has no output named '{options.OutputName}'. {OnnxNodeText.Describe(session)}", nameof(options));
            }

            if (!IsRank4Float(metadata) && !IsMask(metadata))
            {
                throw new ArgumentException(
                    $"The output '{options.OutputName}' of '{modelName}' is {OnnxNodeText.DescribeNode(metadata)}; a segmentation output must be float [N,C,H,W] or an integer mask [N,H,W] or [N,1,H,W]. {OnnxNodeText.Describe(session)}", nameof(options));
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
            $"The model '{modelName}' has no output a segmentation model can give: float [N,C,H,W] scores or an integer mask [N,H,W] or [N,1,H,W]. {OnnxNodeText.Describe(session)}");
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

}
