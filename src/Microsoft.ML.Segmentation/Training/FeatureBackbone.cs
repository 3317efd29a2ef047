using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Onnx;
using static Microsoft.ML.Segmentation.Onnx.OnnxModelProto;

namespace Microsoft.ML.Segmentation.Training;

/// <summary>
/// A frozen ONNX backbone: maps an image tensor <c>[3,H,W]</c> (or a batch) to feature maps at increasing strides, for
/// a segmentation head trained on top. Load any graph with <see cref="Load(byte[], BackboneOptions)"/>, or ML.NET's
/// ResNet-18 with <see cref="ResNet18"/>. <see cref="Extract(ReadOnlySpan{float}, int, int)"/> may be called from
/// several threads at once.
/// </summary>
/// <remarks>Thread safety: running the backbone may happen on several threads at once (the ONNX Runtime session is
/// thread-safe, buffers are per call); <c>Dispose</c> must not race with a run.</remarks>
public sealed partial class FeatureBackbone : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly byte[] _model;
    private readonly ImageTensorOptions _normalisation;
    private readonly string[] _outputNames;

    private FeatureBackbone(byte[] model, InferenceSession session, SessionOptions sessionOptions, string inputName, int inputChannels,
        IReadOnlyList<FeatureMapInfo> features, int sizeMultiple, ImageTensorOptions normalisation)
    {
        _model = model;
        _session = session;
        _sessionOptions = sessionOptions;
        InputName = inputName;
        InputChannels = inputChannels;
        Features = features;
        SizeMultiple = sizeMultiple;
        _normalisation = normalisation;
        _outputNames = features.Select(f => f.Name).ToArray();
    }

    /// <summary>The image input's name in the edited graph.</summary>
    public string InputName { get; }

    /// <summary>The image's channels (3 for RGB).</summary>
    public int InputChannels { get; }

    /// <summary>The feature outputs, finest stride first (the order of <see cref="FeatureMaps.Maps"/>).</summary>
    public IReadOnlyList<FeatureMapInfo> Features { get; }

    /// <summary>What image height and width must be a multiple of.</summary>
    public int SizeMultiple { get; }

    /// <summary>
    /// Fresh options that load images as the backbone needs them: its normalisation, padded at the bottom and right to a
    /// multiple of <see cref="SizeMultiple"/>. Use <see cref="ImageOptionsForSize"/> to stretch to one size instead.
    /// </summary>
    public ImageTensorOptions ImageOptions => Copy(ImageResizeMode.PadToMultiple, 0, 0);

    /// <summary>Fresh options that stretch images to <paramref name="height"/>×<paramref name="width"/> with the backbone's normalisation.</summary>
    /// <param name="height">A multiple of <see cref="SizeMultiple"/>.</param>
    /// <param name="width">A multiple of <see cref="SizeMultiple"/>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A size is not a positive multiple of <see cref="SizeMultiple"/>.</exception>
    public ImageTensorOptions ImageOptionsForSize(int height, int width)
    {
        CheckSize(height, width);
        return Copy(ImageResizeMode.Stretch, height, width);
    }

    /// <summary>The edited graph (feature outputs, pruned, symbolic sizes), to which an export appends a head.</summary>
    /// <returns>A copy of the serialized model.</returns>
    public byte[] GetModelBytes() => (byte[])_model.Clone();

    /// <summary>Loads an ONNX backbone from a file; see <see cref="Load(byte[], BackboneOptions)"/>.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">The input, the feature tensors, the normalisation.</param>
    /// <returns>The backbone.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model (the message says so and names it), or ONNX Runtime cannot load it.</exception>
    /// <exception cref="ArgumentException">The model or the options do not fit, as for <see cref="Load(byte[], BackboneOptions)"/>.</exception>
    public static FeatureBackbone Load(string path, BackboneOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The backbone model '{path}' does not exist.", path);
        }

        return Load(File.ReadAllBytes(path), options, Path.GetFileName(path));
    }

    /// <summary>
    /// Loads an ONNX backbone: the tensors named in <see cref="BackboneOptions.Features"/> become the graph's outputs,
    /// nodes and weights they do not need are removed, and (unless turned off) the input takes any batch and size.
    /// Strides left at 0 and channels the graph does not fix are found by one trial run on zeros.
    /// </summary>
    /// <param name="model">The serialized ONNX model.</param>
    /// <param name="options">The input, the feature tensors, the normalisation.</param>
    /// <returns>The backbone.</returns>
    /// <exception cref="ArgumentException">The model or the options do not fit (a tensor is missing, no feature is named, a stride cannot be inferred).</exception>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model (the message says so), or ONNX Runtime cannot load them.</exception>
    public static FeatureBackbone Load(byte[] model, BackboneOptions options) => Load(model, options, "backbone");

    private static FeatureBackbone Load(byte[] model, BackboneOptions options, string modelName)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Features is null || options.Features.Count == 0)
        {
            throw new ArgumentException("options.Features names no tensor; a backbone needs at least one feature output.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.SizeMultiple, "options.SizeMultiple");
        ModelProto proto = OnnxLoadFailure.Parse(model, modelName);
        ValueInfoProto input = FindImageInput(proto.Graph, options.InputName, "options.InputName");
        string inputName = input.Name;
        var cut = options.Features.Select(f => new OnnxFeatureCut.CutOutput(f.Name, 0)).ToList();
        OnnxFeatureCut.Apply(proto, inputName, cut, options.DynamicInputSize, nameof(model));
        int? multiple = options.SizeMultiple > 0 ? options.SizeMultiple : options.Features.All(f => f.Stride > 0) ? options.Features.Max(f => f.Stride) : null;
        return Open(Serialize(proto), modelName, inputName, options.Features.Select(f => (f.Name, 0, f.Stride)).ToList(),
            multiple, options.ImageOptions ?? new ImageTensorOptions(), options.SessionOptions ?? new OnnxSessionOptions());
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    private ImageTensorOptions Copy(ImageResizeMode mode, int height, int width)
    {
        ImageTensorOptions copy = _normalisation.Clone();
        copy.ResizeMode = mode;
        copy.Height = height;
        copy.Width = width;
        copy.SizeMultiple = SizeMultiple;
        copy.Layout = TensorLayout.Nchw;
        return copy;
    }

    private void CheckSize(int height, int width)
    {
        if (height < 1 || width < 1 || height % SizeMultiple != 0 || width % SizeMultiple != 0)
        {
            throw new ArgumentException(
                $"The image is {height}x{width} (HxW); this backbone needs height and width that are positive multiples of {SizeMultiple}. Load images with ImageOptions (padding) or ImageOptionsForSize.",
                height % SizeMultiple != 0 || height < 1 ? "height" : "width");
        }
    }
}
