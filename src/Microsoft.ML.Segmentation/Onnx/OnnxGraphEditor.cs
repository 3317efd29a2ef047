namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Edits ONNX segmentation models: post-processing appended to the graph, input normalisation prepended to it, the
/// image size fixed. Every method is pure: it parses the bytes, edits a copy and returns the new model's bytes.
/// </summary>
/// <remarks>
/// New nodes, constants and intermediate tensors get names starting <c>segml_</c> that the model does not use yet;
/// the new inputs and outputs take the names in the options, which must be new to the model.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class OnnxGraphEditor
{
    /// <summary>
    /// Appends post-processing (resize to the input size, softmax or sigmoid, argmax or threshold, per-image confusion
    /// counts) to the graph so it runs in ONNX Runtime. The processed outputs come first in the graph's outputs and the
    /// raw score output is removed from them; other outputs stay.
    /// </summary>
    /// <param name="model">The serialised ONNX model: a rank-4 float image input, float scores <c>[N,K,H,W]</c>.</param>
    /// <param name="options">What to append.</param>
    /// <returns>The edited model's bytes.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="model"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="System.ArgumentException">The bytes are not a model; the input or output is missing or does not fit; the options ask for nothing, for an activation of probabilities, or for a name the model already uses.</exception>
    /// <exception cref="System.NotSupportedException">The model's opset is below 11, or below 13 with <see cref="OnnxPostProcessingOptions.ConfusionCounts"/>.</exception>
    public static byte[] AppendPostProcessing(byte[] model, OnnxPostProcessingOptions options) =>
        OnnxPostProcessingWriter.Append(model, options).Model;

    /// <summary>
    /// Prepends input normalisation so the model takes raw RGB pixels 0–255 <c>[N,3,H,W]</c> (float or bytes) under its
    /// image input's name, and computes the scaled, normalised and, for BGR models, reordered tensor in the graph.
    /// </summary>
    /// <param name="model">The serialised ONNX model with a rank-4 float image input of 3 channels.</param>
    /// <param name="normalization">The normalisation the model expects.</param>
    /// <param name="inputName">The image input; <see langword="null"/> takes the single rank-4 float input.</param>
    /// <returns>The edited model's bytes.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="model"/> or <paramref name="normalization"/> is null.</exception>
    /// <exception cref="System.ArgumentException">The bytes are not a model, the input is missing or not 3 channels, or Mean/Std are invalid.</exception>
    public static byte[] PrependNormalization(byte[] model, OnnxInputNormalizationOptions normalization, string? inputName = null) =>
        OnnxNormalizationWriter.Prepend(model, normalization, inputName);

    /// <summary>
    /// Fixes the image input's batch, height and width, and the same symbolic dimensions in the outputs (a mask at the
    /// input's size becomes <c>[batch,height,width]</c>), for hosts that need declared shapes.
    /// </summary>
    /// <param name="model">The serialised ONNX model.</param>
    /// <param name="height">The image height; 1 or more.</param>
    /// <param name="width">The image width; 1 or more.</param>
    /// <param name="batch">The batch size. Default: 1.</param>
    /// <param name="inputName">The image input; <see langword="null"/> takes the single rank-4 float input.</param>
    /// <returns>The edited model's bytes.</returns>
    /// <exception cref="System.ArgumentException">The bytes are not a model, or the input fixes a different size.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException">A size is below 1.</exception>
    public static byte[] FixImageSize(byte[] model, int height, int width, int batch = 1, string? inputName = null) =>
        OnnxShapeFixer.Fix(model, height, width, batch, inputName);
}
