using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Segmentation.Export;

/// <summary>Export of SegML models to plain ML.NET: <c>mlContext.Segmentation().ExportToOnnxPipeline(...)</c>.</summary>
public static class SegmentationExportExtensions
{
    /// <summary>
    /// Bakes the input normalisation and the post-processing into the ONNX model, fixes its input at
    /// <c>[1,3,Height,Width]</c>, and builds the stock ML.NET pipeline that feeds it:
    /// <c>LoadImages → ResizeImages → ExtractPixels(interleave: false) → ApplyOnnxModel</c>.
    /// </summary>
    /// <param name="catalog">The SegML catalog of the context that builds the pipeline.</param>
    /// <param name="model">The serialised ONNX model: float <c>[N,3,H,W]</c> in, float scores <c>[N,K,H',W']</c> out.</param>
    /// <param name="options">Size, normalisation, post-processing and columns.</param>
    /// <returns>The exported model and pipeline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/>, <paramref name="model"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Width or Height is below 1.</exception>
    /// <exception cref="ArgumentException">The model does not fit (see <see cref="OnnxGraphEditor"/>), or the post-processing asks for confusion counts.</exception>
    public static SegmentationExport ExportToOnnxPipeline(this SegmentationCatalog catalog, byte[] model, SegmentationExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 1, "options.Width");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 1, "options.Height");
        OnnxPostProcessingOptions post = options.PostProcessing ?? new OnnxPostProcessingOptions { ResizeToInput = true, ArgMax = true };
        if (post.ConfusionCounts)
        {
            throw new ArgumentException("ConfusionCounts needs a labels input, which the exported pipeline does not feed; export without it.", "options.PostProcessing");
        }

        OnnxInputNormalizationOptions normalization = options.Normalization ?? new OnnxInputNormalizationOptions();
        byte[] exported = OnnxGraphEditor.AppendPostProcessing(model, post);
        string inputName = post.InputName ?? ImageInputName(exported);
        exported = OnnxGraphEditor.PrependNormalization(exported, normalization, inputName);
        exported = OnnxGraphEditor.FixImageSize(exported, options.Height, options.Width, batch: 1, inputName);

        var outputs = new List<string> { post.ArgMax ? post.MaskOutputName : post.ScoresOutputName };
        if (post.ArgMax && post.KeepScores)
        {
            outputs.Add(post.ScoresOutputName);
        }

        MLContext ml = catalog.Context;
        IEstimator<ITransformer> pipeline = ml.Transforms.LoadImages(options.ImageColumnName, options.ImageFolder, options.ImagePathColumnName)
            .Append(ml.Transforms.ResizeImages(options.ImageColumnName, options.Width, options.Height, options.ImageColumnName, options.Resizing))
            .Append(ml.Transforms.ExtractPixels(
                inputName, options.ImageColumnName, ImagePixelExtractingEstimator.ColorBits.Rgb, ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: 1f, outputAsFloatArray: normalization.PixelType == OnnxPixelType.Float))
            .Append(ml.Transforms.ApplyOnnxModel(
                outputs.ToArray(), [inputName], new MemoryStream(exported, writable: false),
                new Dictionary<string, int[]> { [inputName] = [1, 3, options.Height, options.Width] }, options.GpuDeviceId, options.FallbackToCpu));
        return new SegmentationExport(exported, pipeline, inputName, outputs);
    }

    private static string ImageInputName(byte[] model) =>
        OnnxModelProto.FindImageInput(OnnxModelProto.Parse(model, nameof(model)).Graph, null, "options.PostProcessing.InputName").Name;
}
