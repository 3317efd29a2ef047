using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Segmentation.Onnx;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxGraphBuilder;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// Exports a backbone and a head trained on it as one ONNX model that maps an image tensor to the head's logits at
/// the image's size, so that inference needs ONNX Runtime (CPU or GPU providers) and nothing of the training code.
/// </summary>
/// <remarks>
/// <para>The graph: the backbone's edited graph (<see cref="FeatureBackbone.GetModelBytes"/>); each coarser feature map
/// resized to the finest map's grid (Resize, linear, <c>half_pixel</c>, sizes read at run time); a Concat over the
/// channels in map order; a 1×1 Conv (W1, b1), and for an MLP a Relu and a second 1×1 Conv (W2, b2); a Resize (linear,
/// <c>half_pixel</c>) to the input's height and width. Input: the backbone's image input <c>[N,3,H,W]</c>, normalised as
/// <see cref="FeatureBackbone.ImageOptions"/> loads it. Output: <c>scores</c> float <c>[N,K,H,W]</c>, or with argmax
/// <c>mask</c> int64 <c>[N,H,W]</c> only. This is the computation of <see cref="SegmentationHead.Predict"/>.</para>
/// <para>Opset: Resize with <c>half_pixel</c> exists from opset 11 (opset 8's Upsample aligns pixels differently). A
/// backbone below opset 11, such as ML.NET's opset-8 ResNet-18, is raised to opset 13 (IR version 7) when its ops all
/// compute the same there: Conv, BatchNormalization (whose <c>spatial</c> attribute, always 1, is removed), Relu, Add,
/// Sub, Mul, pooling and a few more; any other op is refused rather than risk changed features.</para>
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class SegmentationHeadExport
{
    /// <summary>The name of the score output.</summary>
    public const string ScoresOutputName = "scores";

    /// <summary>The name of the mask output when argmax is appended.</summary>
    public const string MaskOutputName = "mask";

    /// <summary>Builds the ONNX model of <paramref name="backbone"/> followed by <paramref name="head"/>.</summary>
    /// <param name="backbone">The backbone the head was trained on.</param>
    /// <param name="head">The head; its input channels must total the backbone's feature channels.</param>
    /// <param name="argMax">Output the argmax over classes, <c>mask</c> int64 <c>[N,H,W]</c>, instead of the scores. Default: <see langword="false"/>.</param>
    /// <returns>The serialized model.</returns>
    /// <exception cref="ArgumentException">The head's input channels do not match the backbone's features.</exception>
    /// <exception cref="NotSupportedException">The backbone's opset is below 11 and it holds an op that raising the opset could change.</exception>
    public static byte[] ToOnnx(FeatureBackbone backbone, SegmentationHead head, bool argMax = false)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        return ToOnnx(backbone.GetModelBytes(), backbone.InputName, backbone.Features, head, argMax);
    }

    internal static byte[] ToOnnx(byte[] backboneModel, string inputName, IReadOnlyList<FeatureMapInfo> features, SegmentationHead head, bool argMax)
    {
        int channels = features.Sum(f => f.Channels);
        if (channels != head.InputChannels)
        {
            throw new ArgumentException($"The head takes {head.InputChannels} feature channels; the backbone's features have {channels}.", nameof(head));
        }

        ModelProto proto = Parse(backboneModel, nameof(backboneModel));
        long opset = OnnxOpsetRaiser.RaiseIfOld(proto, "backbone");
        var b = new OnnxGraphBuilder(proto.Graph, opset);
        string logits = AppendHead(b, features, head);

        // The feature outputs give way to the logits, which the post-processing then resizes (and argmaxes).
        proto.Graph.Output.Clear();
        proto.Graph.Output.Add(Tensor(logits, FloatType, [Dim("N"), Dim(head.Classes), Dim("h"), Dim("w")]));
        return OnnxGraphEditor.AppendPostProcessing(Serialize(proto), new OnnxPostProcessingOptions
        {
            OutputName = logits,
            InputName = inputName,
            ResizeToInput = true,
            ArgMax = argMax,
            ScoresOutputName = ScoresOutputName,
            MaskOutputName = MaskOutputName,
        });
    }

    private static string AppendHead(OnnxGraphBuilder b, IReadOnlyList<FeatureMapInfo> features, SegmentationHead head)
    {
        string finest = features[0].Name;
        string? finestSize = null;
        var inputs = new List<string>(features.Count);
        foreach (FeatureMapInfo feature in features)
        {
            if (feature.Stride == features[0].Stride)
            {
                inputs.Add(feature.Name);
                continue;
            }

            finestSize ??= b.Add("Slice", "finest_hw", [b.Add("Shape", "finest_shape", [finest]), b.Int64s("start", 2), b.Int64s("end", 4), b.Int64s("axis0", 0)]);
            string batchAndChannels = b.Add("Slice", "nc", [b.Add("Shape", "feature_shape", [feature.Name]), b.Int64s("start", 0), b.Int64s("end", 2), b.Int64s("axis0", 0)]);
            string sizes = b.Add("Concat", "sizes", [batchAndChannels, finestSize], Int("axis", 0));

            // Opsets 11 and 12 want roi and scales as tensors (empty ones mean unused); from 13 on they may be left out.
            string roi = b.Opset >= 13 ? string.Empty : b.Floats("roi", [0]);
            string scales = b.Opset >= 13 ? string.Empty : b.Floats("scales", [0]);
            inputs.Add(b.Add("Resize", "upsampled", [feature.Name, roi, scales, sizes], Text("mode", "linear"), Text("coordinate_transformation_mode", "half_pixel")));
        }

        string x = inputs.Count == 1 ? inputs[0] : b.Add("Concat", "features", inputs, Int("axis", 1));
        float[] parameters = head.GetParameters();
        int first = head.HiddenChannels > 0 ? head.HiddenChannels : head.Classes;
        int offset = 0;
        string Conv(string input, int outChannels, int inChannels)
        {
            string weight = b.Floats("head_w", [outChannels, inChannels, 1, 1], parameters.AsSpan(offset, outChannels * inChannels).ToArray());
            offset += outChannels * inChannels;
            string bias = b.Floats("head_b", [outChannels], parameters.AsSpan(offset, outChannels).ToArray());
            offset += outChannels;
            return b.Add("Conv", "head_conv", [input, weight, bias], Ints("kernel_shape", 1, 1));
        }

        string y = Conv(x, first, head.InputChannels);
        if (head.HiddenChannels > 0)
        {
            y = Conv(b.Add("Relu", "head_relu", [y]), head.Classes, head.HiddenChannels);
        }

        return y;
    }
}
