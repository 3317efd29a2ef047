using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Training;

public sealed partial class FeatureBackbone
{
    /// <summary>The feature maps of one image.</summary>
    /// <param name="image">Planar <c>[C,H,W]</c> values, normalised as <see cref="ImageOptions"/> loads them.</param>
    /// <param name="height">H, a multiple of <see cref="SizeMultiple"/>.</param>
    /// <param name="width">W, a multiple of <see cref="SizeMultiple"/>.</param>
    /// <returns>The maps, finest stride first, in new arrays the caller may keep.</returns>
    /// <exception cref="ArgumentException">A size is not a multiple of <see cref="SizeMultiple"/>, or <paramref name="image"/> has the wrong length.</exception>
    public FeatureMaps Extract(ReadOnlySpan<float> image, int height, int width) => ExtractBatch(image, 1, height, width)[0];

    /// <summary>The feature maps of a batch of images of one size, in one ONNX Runtime call.</summary>
    /// <param name="images">Planar <c>[N,C,H,W]</c> values, normalised as <see cref="ImageOptions"/> loads them.</param>
    /// <param name="batch">N, 1 or more.</param>
    /// <param name="height">H, a multiple of <see cref="SizeMultiple"/>.</param>
    /// <param name="width">W, a multiple of <see cref="SizeMultiple"/>.</param>
    /// <returns>One <see cref="FeatureMaps"/> per image, in new arrays the caller may keep.</returns>
    /// <exception cref="ArgumentException">A size is not a multiple of <see cref="SizeMultiple"/>, or <paramref name="images"/> has the wrong length.</exception>
    public FeatureMaps[] ExtractBatch(ReadOnlySpan<float> images, int batch, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        CheckSize(height, width);
        long expected = (long)batch * InputChannels * height * width;
        if (images.Length != expected)
        {
            throw new ArgumentException($"images holds {images.Length} values; [{batch},{InputChannels},{height},{width}] needs {expected}.", nameof(images));
        }

        return Run(images, batch, height, width).Select(maps => new FeatureMaps(height, width, maps)).ToArray();
    }

    /// <summary>The feature maps of every image of a loaded tensor (NCHW, loaded with <see cref="ImageOptions"/> or <see cref="ImageOptionsForSize"/>).</summary>
    /// <param name="images">The tensor.</param>
    /// <returns>One <see cref="FeatureMaps"/> per image.</returns>
    /// <exception cref="ArgumentException">The tensor is NHWC, has other channels, or a size that is not a multiple of <see cref="SizeMultiple"/>.</exception>
    public FeatureMaps[] ExtractBatch(ImageTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Layout != TensorLayout.Nchw || images.Channels != InputChannels)
        {
            throw new ArgumentException($"images is {images.Layout} with {images.Channels} channels; this backbone reads NCHW with {InputChannels}.", nameof(images));
        }

        return ExtractBatch(images.Data, images.Batch, images.Height, images.Width);
    }

    private List<FeatureMap>[] Run(ReadOnlySpan<float> images, int batch, int height, int width)
    {
        using OrtValue input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, InputChannels, height, width]);
        images.CopyTo(input.GetTensorMutableDataAsSpan<float>());
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = _session.Run(runOptions, [InputName], [input], _outputNames);
        var perImage = Enumerable.Range(0, batch).Select(_ => new List<FeatureMap>(Features.Count)).ToArray();
        for (int f = 0; f < Features.Count; f++)
        {
            long[] shape = results[f].GetTensorTypeAndShape().Shape;
            ReadOnlySpan<float> values = results[f].GetTensorDataAsSpan<float>();
            int channels = (int)shape[1], h = (int)shape[2], w = (int)shape[3];
            int size = channels * h * w;
            for (int n = 0; n < batch; n++)
            {
                perImage[n].Add(new FeatureMap(channels, h, w, Features[f].Stride, values.Slice(n * size, size).ToArray()));
            }
        }

        return perImage;
    }

    /// <summary>Starts the session and fills in the channels and strides the graph leaves open, by a trial run on zeros.</summary>
    private static FeatureBackbone Open(byte[] model, string modelName, string inputName, IReadOnlyList<(string Name, int Channels, int Stride)> features,
        int? sizeMultiple, ImageTensorOptions normalisation, OnnxSessionOptions options)
    {
        OnnxOpenedSession opened = OnnxSessionFactory.Open(modelName, o => new InferenceSession(model, o), options, () => new MemoryStream(model, writable: false));
        try
        {
            NodeMetadata input = opened.Session.InputMetadata[inputName];
            int inputChannels = input.Dimensions[1] > 0 ? input.Dimensions[1] : 3;
            var resolved = features.Select(f => (f.Name, Channels: f.Channels > 0 ? f.Channels : Math.Max(0, opened.Session.OutputMetadata[f.Name].Dimensions[1]), f.Stride)).ToList();
            if (resolved.Any(f => f.Channels == 0 || f.Stride == 0))
            {
                int probeH = input.Dimensions[2] > 0 ? input.Dimensions[2] : 2 * (sizeMultiple ?? 32);
                int probeW = input.Dimensions[3] > 0 ? input.Dimensions[3] : 2 * (sizeMultiple ?? 32);
                using OrtValue zeros = OrtValue.CreateTensorValueFromMemory(new float[inputChannels * probeH * probeW], [1, inputChannels, probeH, probeW]);
                using var runOptions = new RunOptions();
                using IDisposableReadOnlyCollection<OrtValue> results = opened.Session.Run(runOptions, [inputName], [zeros], resolved.Select(f => f.Name).ToArray());
                for (int i = 0; i < resolved.Count; i++)
                {
                    long[] shape = results[i].GetTensorTypeAndShape().Shape;
                    if (shape.Length != 4)
                    {
                        throw new ArgumentException($"The feature output '{resolved[i].Name}' of '{modelName}' has rank {shape.Length}; a feature map is [N,C,H,W].", "options");
                    }

                    int stride = resolved[i].Stride;
                    if (stride == 0)
                    {
                        if (probeH % shape[2] != 0 || probeW % shape[3] != 0 || probeH / shape[2] != probeW / shape[3])
                        {
                            throw new ArgumentException(
                                $"The stride of '{resolved[i].Name}' cannot be inferred: a {probeH}x{probeW} input gives {shape[2]}x{shape[3]}. Set it in BackboneFeature.", "options");
                        }

                        stride = (int)(probeH / shape[2]);
                    }

                    resolved[i] = (resolved[i].Name, (int)shape[1], stride);
                }
            }

            var infos = resolved.OrderBy(f => f.Stride).Select(f => new FeatureMapInfo(f.Name, f.Channels, f.Stride)).ToList();
            return new FeatureBackbone(model, opened.Session, opened.Options, inputName, inputChannels, infos, sizeMultiple ?? infos[^1].Stride, normalisation);
        }
        catch
        {
            opened.Session.Dispose();
            opened.Options.Dispose();
            throw;
        }
    }
}
