using System;
using System.Collections.Generic;
using Microsoft.ML.Runtime;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Transforms;

/// <summary>
/// The estimators of <c>mlContext.Segmentation().Transforms</c>. Columns: a tensor is a variable-length Single vector
/// holding one image's <c>[C,H,W]</c>, with an 8-element Int32 geometry column beside it; a mask is a variable-length
/// key vector <c>[H,W]</c> (key k + 1 = class k, 0 = ignored) whose KeyValues are the class names.
/// </summary>
/// <remarks>Thread safety: like ML.NET's own catalogs and estimators, build and fit on one thread; the fitted
/// transformers are then safe to share.</remarks>
public sealed class SegmentationTransforms
{
    private readonly MLContext _context;

    internal SegmentationTransforms(MLContext context) => _context = context;

    /// <summary>Loads images into model tensors: adds <paramref name="outputColumnName"/> and <paramref name="outputColumnName"/>+"Geometry".</summary>
    /// <param name="outputColumnName">The tensor column. Default: "Image".</param>
    /// <param name="inputColumnName">The text column of image paths. Default: "ImagePath".</param>
    /// <param name="options">Decoding, resizing and normalisation; <see langword="null"/> for the defaults of <see cref="ImageTensorOptions"/> (no resize, [0,1], no mean/std).</param>
    /// <param name="imageFolder">Folder that relative paths are resolved against; <see langword="null"/> for the working directory.</param>
    /// <returns>The estimator.</returns>
    public SegmentationEstimator<ImageLoadingTransformer> LoadImages(string outputColumnName = "Image", string? inputColumnName = "ImagePath", ImageTensorOptions? options = null, string? imageFolder = null)
        => new(new ImageLoadingTransformer(outputColumnName, inputColumnName ?? outputColumnName, options ?? new ImageTensorOptions(), imageFolder));

    /// <summary>Loads masks as key-typed label maps with class names, brought to their images' geometry.</summary>
    /// <param name="classNames">The class names, in class-index order (their count is the class count).</param>
    /// <param name="outputColumnName">The mask column. Default: "Mask".</param>
    /// <param name="inputColumnName">The text column of mask paths. Default: "MaskPath".</param>
    /// <param name="geometryColumnName">The image geometry the masks follow; <see langword="null"/> to keep each mask's size. Default: "ImageGeometry".</param>
    /// <param name="options">Mask format and ignore value; <see langword="null"/> for index masks with ignore value 255.</param>
    /// <param name="maskFolder">Folder that relative paths are resolved against.</param>
    /// <returns>The estimator.</returns>
    public SegmentationEstimator<MaskLoadingTransformer> LoadMasks(IReadOnlyList<string> classNames, string outputColumnName = "Mask", string? inputColumnName = "MaskPath", string? geometryColumnName = "ImageGeometry", MaskOptions? options = null, string? maskFolder = null)
        => new(new MaskLoadingTransformer(outputColumnName, inputColumnName ?? outputColumnName, geometryColumnName, classNames, options ?? new MaskOptions(), maskFolder));

    /// <summary>Scores tensors with an ONNX segmentation model.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="outputColumnName">The scores column. Default: "Scores".</param>
    /// <param name="inputColumnName">The tensor column. Default: "Image".</param>
    /// <param name="geometryColumnName">The geometry column. Default: "ImageGeometry".</param>
    /// <param name="options">Session options; <see langword="null"/> for <c>new OnnxSessionOptions()</c>: the CPU, with outputs upsampled to the tensor size. The execution provider and any fallback are logged through <see cref="MLContext.Log"/>.</param>
    /// <param name="maskClassNames">For a model whose output is an integer mask (it ends in ArgMax): the class names; the added column is then a key-typed mask ready for <see cref="SegmentationCatalog.Evaluate"/>. Ignored for score outputs. Default: <see langword="null"/>.</param>
    /// <returns>The estimator; its transformer owns the session and is <see cref="IDisposable"/>.</returns>
    /// <exception cref="System.IO.FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="ArgumentException">The model has no usable image input or score output (the message lists its inputs and outputs), or it outputs a mask and no class names are given.</exception>
    /// <exception cref="System.IO.InvalidDataException">The file is not an ONNX model (the message says so and names it), or ONNX Runtime cannot load it; ONNX Runtime's exception, if any, is the inner exception.</exception>
    /// <exception cref="InvalidOperationException">No input or output can be found by shape, or no requested execution provider starts (see <see cref="SegmentationModel.Load(byte[], OnnxSessionOptions?, string?)"/>).</exception>
    public SegmentationEstimator<OnnxScoringTransformer> ScoreOnnx(string modelPath, string outputColumnName = "Scores", string inputColumnName = "Image", string geometryColumnName = "ImageGeometry", OnnxSessionOptions? options = null, IReadOnlyList<string>? maskClassNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!System.IO.File.Exists(modelPath))
        {
            throw new System.IO.FileNotFoundException($"The ONNX model '{modelPath}' does not exist.", modelPath);
        }

        return ScoreOnnx(System.IO.File.ReadAllBytes(modelPath), outputColumnName, inputColumnName, geometryColumnName, options, modelPath, maskClassNames);
    }

    /// <summary>Scores tensors with an ONNX segmentation model given as bytes (for example an embedded resource).</summary>
    /// <param name="model">The model's bytes.</param>
    /// <param name="outputColumnName">The scores column. Default: "Scores".</param>
    /// <param name="inputColumnName">The tensor column. Default: "Image".</param>
    /// <param name="geometryColumnName">The geometry column. Default: "ImageGeometry".</param>
    /// <param name="options">Session options, as for the path overload.</param>
    /// <param name="modelName">A name for messages. Default: "model".</param>
    /// <param name="maskClassNames">For an integer-mask model, its class names (as for the path overload).</param>
    /// <returns>The estimator; its transformer owns the session and is <see cref="IDisposable"/>.</returns>
    /// <exception cref="ArgumentException">The model has no usable image input or score output, or it outputs a mask and no class names are given.</exception>
    /// <exception cref="System.IO.InvalidDataException">The bytes are not an ONNX model (the message says so and names <paramref name="modelName"/>), or ONNX Runtime cannot load them; ONNX Runtime's exception, if any, is the inner exception.</exception>
    /// <exception cref="InvalidOperationException">No input or output can be found by shape, or no requested execution provider starts (see <see cref="SegmentationModel.Load(byte[], OnnxSessionOptions?, string?)"/>).</exception>
    public SegmentationEstimator<OnnxScoringTransformer> ScoreOnnx(byte[] model, string outputColumnName = "Scores", string inputColumnName = "Image", string geometryColumnName = "ImageGeometry", OnnxSessionOptions? options = null, string modelName = "model", IReadOnlyList<string>? maskClassNames = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A copy: the caller's later changes must not reach the transformer (or its saved description).
        OnnxSessionOptions session = (options ?? new OnnxSessionOptions()).Clone();
        session.Log = LogTo(_context, options?.Log);
        return new(new OnnxScoringTransformer(outputColumnName, inputColumnName, geometryColumnName, model, modelName, session, maskClassNames));
    }

    /// <summary>A log callback that writes to <see cref="MLContext.Log"/> and then to <paramref name="next"/>.</summary>
    /// <remarks>A short-lived channel per message, so the callback can be called from any thread (a read-ahead cursor's,
    /// a training loop's) without sharing a channel across threads.</remarks>
    internal static Action<string> LogTo(MLContext context, Action<string>? next, string component = "ScoreOnnx")
    {
        IHost host = ((IHostEnvironment)context).Register("Segmentation." + component);
        return message =>
        {
            using IChannel channel = host.Start(component);
            channel.Info(MessageSensitivity.None, message);
            next?.Invoke(message);
        };
    }

    /// <summary>Predicts masks from scores: argmax over classes, or a threshold for one-channel scores.</summary>
    /// <param name="classNames">The class names (at least two).</param>
    /// <param name="outputColumnName">The predicted mask column. Default: "PredictedMask".</param>
    /// <param name="scoresColumnName">The scores column. Default: "Scores".</param>
    /// <param name="geometryColumnName">The geometry column. Default: "ImageGeometry".</param>
    /// <param name="threshold">The foreground probability of one-channel scores, in (0, 1); on logits the scores are compared with ln(t / (1 − t)) (see <see cref="Metrics.ForegroundThreshold"/>). Default: 0.5.</param>
    /// <param name="restoreOriginalSize">Map the mask back to the original image size (removing letterbox padding). Default: <see langword="false"/> (the tensor's size, as masks loaded with the image's geometry).</param>
    /// <param name="confidenceColumnName">Also add the winning class's probability per pixel (a Single vector the mask's size) under this name; <see langword="null"/> for none. Default: <see langword="null"/>.</param>
    /// <param name="scoresAreProbabilities">The scores are probabilities (the model ends in Softmax or Sigmoid), not logits; used for a one-channel threshold and the confidence. Default: <see langword="null"/>: as the scores column's annotation says (ScoreOnnx and trained heads set it); unannotated scores then need it for one channel or a confidence.</param>
    /// <returns>The estimator.</returns>
    public SegmentationEstimator<MaskPredictingTransformer> PredictMasks(IReadOnlyList<string> classNames, string outputColumnName = "PredictedMask", string scoresColumnName = "Scores", string geometryColumnName = "ImageGeometry", float threshold = Metrics.ForegroundThreshold.Default, bool restoreOriginalSize = false, string? confidenceColumnName = null, bool? scoresAreProbabilities = null)
        => new(new MaskPredictingTransformer(outputColumnName, scoresColumnName, geometryColumnName, classNames, threshold, restoreOriginalSize, confidenceColumnName, scoresAreProbabilities));

    /// <summary>Adds one Single column per loss with each image's loss between its scores and mask.</summary>
    /// <param name="losses">Output column name → loss (each with its own options: activation, weights, …).</param>
    /// <param name="scoresColumnName">The scores column. Default: "Scores".</param>
    /// <param name="maskColumnName">The mask column. Default: "Mask".</param>
    /// <param name="geometryColumnName">The geometry column. Default: "ImageGeometry".</param>
    /// <returns>The estimator.</returns>
    public SegmentationEstimator<LossComputingTransformer> ComputeLosses(IReadOnlyDictionary<string, ISegmentationLoss> losses, string scoresColumnName = "Scores", string maskColumnName = "Mask", string geometryColumnName = "ImageGeometry")
        => new(new LossComputingTransformer(losses, scoresColumnName, maskColumnName, geometryColumnName));
}
