using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Losses;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxGraphBuilder;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>What an appended post-processing gives: the edited model and the output a caller should read first.</summary>
internal readonly record struct PostProcessedModel(byte[] Model, string PrimaryOutput, SegmentationOutputKind Kind);

/// <summary>Appends <see cref="OnnxPostProcessingOptions"/> to a model's graph (see <see cref="OnnxGraphEditor.AppendPostProcessing"/>).</summary>
internal static class OnnxPostProcessingWriter
{
    // ScatterElements takes reduction="add" from opset 16 on.
    private const long ScatterReductionOpset = 16;

    // Between opsets 13 and 16 only RoiAlign changed what a model computes (its default coordinate mode); below 13,
    // Softmax, Squeeze, ReduceSum and others read their inputs differently, so those models are not raised.
    private const long MinimumRaisableOpset = 13;

    public static PostProcessedModel Append(byte[] model, OnnxPostProcessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelProto proto = Parse(model, nameof(model));
        GraphProto graph = proto.Graph;
        OperatorSetIdProto opset = DefaultOpset(proto, nameof(model));
        Validate(options, opset.Version);

        ValueInfoProto image = FindImageInput(graph, options.InputName, "options.InputName");
        ValueInfoProto scores = FindScores(graph, options.OutputName);
        long? channels = Fixed(Dims(scores)[1]);
        bool probabilities = OnnxModelSignature.EndsInActivation(scores.Name, OnnxNodeInfos(graph));
        CheckFits(options, scores, channels, probabilities);

        if (options.ConfusionCounts && opset.Version < ScatterReductionOpset)
        {
            RaiseOpset(proto, opset);
        }

        var builder = new OnnxGraphBuilder(graph, opset.Version);
        CheckNames(builder, options);
        bool wantScores = !options.ArgMax || options.KeepScores;

        // Resize first: the mask and the confusion counts then come at the input's size.
        string current = options.ResizeToInput ? Resize(builder, scores.Name, image.Name) : scores.Name;
        var spatial = options.ResizeToInput ? Dims(image).Skip(2).ToArray() : Dims(scores).Skip(2).ToArray();
        var batchDim = Dims(scores)[0];
        string activated = options.Activation switch
        {
            Activation.Softmax => builder.SoftmaxOverChannels(current),
            Activation.Sigmoid => builder.Add("Sigmoid", "sigmoid", [current]),
            _ => current,
        };
        bool activatedAreProbabilities = probabilities || options.Activation != Activation.None;

        var outputs = new List<ValueInfoProto>();
        if (wantScores)
        {
            builder.AddTo("Identity", [activated], options.ScoresOutputName);
            outputs.Add(Tensor(options.ScoresOutputName, FloatType, [batchDim, Dims(scores)[1], .. spatial]));
        }

        string? prediction = null;
        if (options.ArgMax || options.ConfusionCounts)
        {
            prediction = Predict(builder, current, activated, channels, activatedAreProbabilities, options.Threshold);
        }

        if (options.ArgMax)
        {
            int type = options.MaskElementType == OnnxMaskElementType.UInt8 ? UInt8Type : Int64Type;
            builder.AddTo(type == Int64Type ? "Identity" : "Cast", [prediction!], options.MaskOutputName, type == Int64Type ? [] : [Int("to", UInt8Type)]);
            outputs.Insert(0, Tensor(options.MaskOutputName, type, [batchDim, .. spatial]));
        }

        if (options.ConfusionCounts)
        {
            graph.Input.Add(Tensor(options.LabelsInputName, Int64Type, [batchDim, .. spatial]));
            string classes = channels == 1 ? builder.Int64s("classes", 2) : builder.Add("Slice", "classes", [builder.Add("Shape", "scores_shape", [current]), builder.Int64s("one", 1), builder.Int64s("two", 2)]);
            Confusion(builder, prediction!, options.LabelsInputName, classes, options.ConfusionOutputName);
            TensorShapeProto.Types.Dimension k = channels is long c ? Dim(c == 1 ? 2 : c) : Dim("classes");
            outputs.Add(Tensor(options.ConfusionOutputName, Int64Type, [batchDim, k, k]));
        }

        // The processed outputs come first; the raw scores leave the outputs so ONNX Runtime does not copy them back.
        List<ValueInfoProto> others = graph.Output.Where(o => o.Name != scores.Name).ToList();
        graph.Output.Clear();
        graph.Output.Add(outputs);
        graph.Output.Add(others);

        string primary = options.ArgMax ? options.MaskOutputName : options.ScoresOutputName;
        SegmentationOutputKind kind = options.ArgMax ? SegmentationOutputKind.Mask
            : activatedAreProbabilities ? SegmentationOutputKind.Probabilities : SegmentationOutputKind.Logits;
        return new PostProcessedModel(Serialize(proto), primary, kind);
    }

    private static void Validate(OnnxPostProcessingOptions options, long opset)
    {
        if (options.Activation == Activation.None && !options.ResizeToInput && !options.ArgMax && !options.ConfusionCounts)
        {
            throw new ArgumentException(
                "The post-processing options ask for nothing: set Activation, ResizeToInput, ArgMax or ConfusionCounts.", nameof(options));
        }

        if (!Enum.IsDefined(options.Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Activation, "Activation must be None, Sigmoid or Softmax.");
        }

        if (!Enum.IsDefined(options.MaskElementType))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaskElementType, "MaskElementType must be Int64 or UInt8.");
        }

        Metrics.ForegroundThreshold.Validate(options.Threshold, "options.Threshold");

        if (opset < 11)
        {
            throw new NotSupportedException($"The model imports default-domain opset {opset}; post-processing in the graph needs opset 11 or more (Resize, ArgMax as written since then).");
        }

        if (options.ConfusionCounts && opset < MinimumRaisableOpset)
        {
            throw new NotSupportedException(
                $"ConfusionCounts needs opset 16 (ScatterElements with reduction=\"add\"); the model imports opset {opset}, and below {MinimumRaisableOpset} raising it would change what some of its operators compute. Convert the model to opset 13 or more first.");
        }
    }

    private static ValueInfoProto FindScores(GraphProto graph, string? name)
    {
        if (name is not null)
        {
            return graph.Output.FirstOrDefault(o => o.Name == name)
                ?? throw new ArgumentException($"The model has no output named '{name}'. {Describe(graph)}", "options.OutputName");
        }

        return graph.Output.FirstOrDefault(o => IsRank4(o, FloatType))
            ?? throw new ArgumentException(
                $"The model has no rank-4 float output [N,K,H,W] to post-process (an integer mask is already post-processed). {Describe(graph)}", "options.OutputName");
    }

    private static void CheckFits(OnnxPostProcessingOptions options, ValueInfoProto scores, long? channels, bool probabilities)
    {
        if (!IsRank4(scores, FloatType))
        {
            throw new ArgumentException(
                $"The output '{scores.Name}' is {DescribeValue(scores)}; post-processing needs float scores [N,K,H,W] (an integer mask is already post-processed).", "options.OutputName");
        }

        if (options.Activation != Activation.None && probabilities)
        {
            throw new ArgumentException(
                $"Activation {options.Activation} was asked for, but the output '{scores.Name}' already ends in Softmax or Sigmoid (probabilities); set Activation to None.", nameof(options));
        }

        if (options.Activation == Activation.Softmax && channels == 1)
        {
            throw new ArgumentException(
                $"Softmax over the single channel of '{scores.Name}' is 1 everywhere; a one-channel model takes Sigmoid.", nameof(options));
        }

        if (options.MaskElementType == OnnxMaskElementType.UInt8 && channels > 256)
        {
            throw new ArgumentException(
                $"MaskElementType UInt8 holds 256 classes; the output '{scores.Name}' has {channels}. Use Int64.", nameof(options));
        }
    }

    private static void CheckNames(OnnxGraphBuilder builder, OnnxPostProcessingOptions options)
    {
        var chosen = new List<(string Name, string Option)>();
        if (!options.ArgMax || options.KeepScores)
        {
            chosen.Add((options.ScoresOutputName, nameof(options.ScoresOutputName)));
        }

        if (options.ArgMax)
        {
            chosen.Add((options.MaskOutputName, nameof(options.MaskOutputName)));
        }

        if (options.ConfusionCounts)
        {
            chosen.Add((options.LabelsInputName, nameof(options.LabelsInputName)));
            chosen.Add((options.ConfusionOutputName, nameof(options.ConfusionOutputName)));
        }

        foreach ((string name, string option) in chosen)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"{option} is empty; give the new tensor a name.", $"options.{option}");
            }

            if (builder.IsUsed(name))
            {
                throw new ArgumentException(
                    $"{option} '{name}' names a tensor or node the model already has (or another new tensor); choose another name.", $"options.{option}");
            }

            builder.Claim(name);
        }
    }

    private static void RaiseOpset(ModelProto proto, OperatorSetIdProto opset)
    {
        string? roiAlign = proto.Graph.Node.FirstOrDefault(n => n.OpType == "RoiAlign" && n.Domain is "" or "ai.onnx")?.Name;
        if (roiAlign is not null)
        {
            throw new NotSupportedException(
                $"ConfusionCounts raises the model's opset from {opset.Version} to {ScatterReductionOpset}, which changes what its RoiAlign node '{roiAlign}' computes; convert the model to opset 16 first.");
        }

        opset.Version = ScatterReductionOpset;

        // Opset 16 belongs to IR version 8.
        proto.IrVersion = Math.Max(proto.IrVersion, 8);
    }

    /// <summary>Resize to the input's height and width, read at run time: sizes = Shape(scores)[0:2] ++ Shape(input)[2:4].</summary>
    private static string Resize(OnnxGraphBuilder b, string scores, string input)
    {
        string zero = b.Int64s("axis0", 0);
        string batchAndClasses = b.Add("Slice", "nk", [b.Add("Shape", "scores_shape", [scores]), b.Int64s("start", 0), b.Int64s("end", 2), zero]);
        string heightAndWidth = b.Add("Slice", "hw", [b.Add("Shape", "input_shape", [input]), b.Int64s("start", 2), b.Int64s("end", 4), zero]);
        string sizes = b.Add("Concat", "sizes", [batchAndClasses, heightAndWidth], Int("axis", 0));

        // Opsets 11 and 12 want roi and scales as tensors (empty ones mean unused); from 13 on they may be left out.
        string roi = b.Opset >= 13 ? string.Empty : b.Floats("roi", [0]);
        string scales = b.Opset >= 13 ? string.Empty : b.Floats("scales", [0]);
        return b.Add(
            "Resize", "resized", [scores, roi, scales, sizes],
            Text("mode", "linear"), Text("coordinate_transformation_mode", "half_pixel"));
    }

    /// <summary>The int64 class per pixel <c>[N,H,W]</c>: argmax of the raw scores, or for one channel the threshold.</summary>
    private static string Predict(OnnxGraphBuilder b, string raw, string activated, long? channels, bool probabilities, float threshold)
    {
        if (channels != 1)
        {
            return b.Add("ArgMax", "argmax", [raw], Int("axis", 1), Int("keepdims", 0));
        }

        float cut = Metrics.ForegroundThreshold.ScoreCut(threshold, probabilities);
        string above = b.Add("Greater", "above", [activated, b.Floats("threshold", [], cut)]);
        return b.DropChannelAxis(b.Add("Cast", "foreground", [above], Int("to", Int64Type)), "prediction");
    }

    /// <summary>
    /// Per-image counts <c>[N,K,K]</c>: each valid pixel adds one at <c>label·K + prediction</c> of a row of K·K + 1
    /// zeros (ScatterElements with reduction add); invalid labels go to the extra last cell, which is then cut off.
    /// </summary>
    private static void Confusion(OnnxGraphBuilder b, string prediction, string labels, string classes, string output)
    {
        string negative = b.Add("Less", "negative", [labels, b.Int64s("zero", 0)]);
        string tooLarge = b.Add("Not", "too_large", [b.Add("Less", "in_range", [labels, classes])]);
        string invalid = b.Add("Or", "invalid", [negative, tooLarge]);
        string cells = b.Add("Mul", "cells", [classes, classes]);
        string cell = b.Add("Add", "cell", [b.Add("Mul", "row", [labels, classes]), prediction]);
        string index = b.Add("Where", "index", [invalid, cells, cell]);
        string flat = b.Add("Reshape", "flat", [index, b.Int64s("batch_rest", 0, -1)]);
        string batch = b.Add("Slice", "batch", [b.Add("Shape", "labels_shape", [labels]), b.Int64s("start", 0), b.Int64s("end", 1)]);
        string width = b.Add("Add", "width", [cells, b.Int64s("one", 1)]);
        string zeros = b.Add("ConstantOfShape", "zeros", [b.Add("Concat", "zeros_shape", [batch, width], Int("axis", 0))], Int64Value(0));
        string ones = b.Add("ConstantOfShape", "ones", [b.Add("Shape", "flat_shape", [flat])], Int64Value(1));
        string counted = b.Add("ScatterElements", "counted", [zeros, flat, ones], Int("axis", 1), Text("reduction", "add"));
        string kept = b.Add("Slice", "kept", [counted, b.Int64s("start", 0), cells, b.Int64s("axis1", 1)]);
        b.AddTo("Reshape", [kept, b.Add("Concat", "counts_shape", [batch, classes, classes], Int("axis", 0))], output);
    }

    private static List<OnnxNodeInfo> OnnxNodeInfos(GraphProto graph) =>
        graph.Node.Select(n => new OnnxNodeInfo(n.OpType, n.Input.ToArray(), n.Output.ToArray())).ToList();
}
