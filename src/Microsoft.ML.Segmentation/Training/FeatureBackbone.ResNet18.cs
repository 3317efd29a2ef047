using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Training;

public sealed partial class FeatureBackbone
{
    /// <summary>The strides <see cref="ResNet18"/> offers: the ends of layer1 (64 channels), layer2 (128) and layer3 (256).</summary>
    public static IReadOnlyList<int> ResNet18Strides { get; } = [4, 8, 16];

    /// <summary>
    /// ML.NET's ImageNet ResNet-18 (the CNTK model <c>tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx</c> of the package
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, MIT) cut after layer3, as a backbone fed planar RGB 0..255
    /// (<see cref="ImageOptions"/>: RGB, no scaling, no mean or std) of any size whose height and width are multiples of 16.
    /// </summary>
    /// <remarks>
    /// <para>The edits, done in memory: the chosen stage ends become the outputs; layer4, the pooling and unused weights
    /// go; the stale shapes of the 224×224 export go; the input's batch, height and width become symbolic; and the
    /// preprocessing ML.NET runs in a separate graph is folded in: a per-channel mean subtraction (RGB
    /// 123.152, 115.903, 103.063: the averages of the 224×224 mean image, which exists at no other size) and the RGB→BGR
    /// swap, done by reversing the input channels of conv1's weights. The opset stays 8 (its BatchNormalization has the
    /// <c>spatial</c> attribute later opsets reject).</para>
    /// <para>Why multiples of 16: the CNTK export pads asymmetrically (begin 1, end 0 for the stride-2 3×3 convolutions;
    /// none for the 1×1 shortcuts), so at a stride-2 block with an odd input the two branches differ in size by one and
    /// their Add fails.</para>
    /// <para>Alignment: because the padding is at the start, feature pixel <c>j</c> at stride <c>s</c> is centred on input
    /// pixel <c>s·j</c> (not <c>s·j + (s−1)/2</c>); map input coordinate <c>x</c> to feature coordinate <c>x / s</c>.</para>
    /// </remarks>
    /// <param name="resnet18OnnxPath">The path of <c>ResNet18.onnx</c>.</param>
    /// <param name="strides">Which of 4, 8, 16 to output; null outputs all three.</param>
    /// <param name="sessionOptions">Execution providers and threads; null runs on the CPU.</param>
    /// <returns>The backbone, with <see cref="SizeMultiple"/> 16.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="resnet18OnnxPath"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (the message says so and names it).</exception>
    /// <exception cref="ArgumentException">The file is another model than ResNet18, or a stride is not offered.</exception>
    public static FeatureBackbone ResNet18(string resnet18OnnxPath, IReadOnlyList<int>? strides = null, OnnxSessionOptions? sessionOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resnet18OnnxPath);
        if (!File.Exists(resnet18OnnxPath))
        {
            throw new FileNotFoundException($"ResNet18.onnx was not found at '{resnet18OnnxPath}'. It is in the package Microsoft.ML.DnnImageFeaturizer.ResNet18, under tools/DnnImageModels/ResNet18Onnx/.", resnet18OnnxPath);
        }

        List<int> chosen = (strides ?? ResNet18Strides).Distinct().Order().ToList();
        if (chosen.Count == 0 || chosen.Any(s => !ResNet18Strides.Contains(s)))
        {
            throw new ArgumentException($"strides [{string.Join(", ", chosen)}] must be one or more of {string.Join(", ", ResNet18Strides)}.", nameof(strides));
        }

        ModelProto proto = OnnxLoadFailure.Parse(File.ReadAllBytes(resnet18OnnxPath), resnet18OnnxPath);
        ResNet18Recipe.Apply(proto, chosen, nameof(resnet18OnnxPath));
        var features = chosen.Select(s => ResNet18Recipe.Stages.First(t => t.Stride == s)).Select(s => (s.Name, 0, s.Stride)).ToList();
        var normalisation = new ImageTensorOptions { ChannelOrder = ChannelOrder.Rgb, ScaleToUnit = false, Mean = null, Std = null };
        return Open(Serialize(proto), Path.GetFileName(resnet18OnnxPath), ResNet18Recipe.Input, features, 16, normalisation, sessionOptions ?? new OnnxSessionOptions());
    }
}
