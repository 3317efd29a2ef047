using System;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Predicts the mask of an image of any size in bounded memory: the image is decoded once and kept as 8-bit pixels
/// (<see cref="DecodedImage"/>), the windows read and normalise their regions from it (<see cref="TiledInference.Stream"/>),
/// and each band of finished rows of blended scores is turned into labels (<see cref="MaskPrediction.PredictLabels"/>)
/// and, optionally, confidences (<see cref="MaskConfidence"/>) at once, then dropped. Neither the float tensor of the
/// image nor its K × H × W scores ever exist.
/// </summary>
/// <remarks>
/// The labels and confidences equal those of the pipeline <c>LoadImages</c> → <c>ScoreOnnx</c> (with
/// <see cref="OnnxSessionOptions.Tiling"/> and the same <see cref="OnnxSessionOptions.TestTimeAugmentation"/>) →
/// <c>PredictMasks</c> on the same image and options, exactly: the same
/// window inputs, the same blending, the same per-pixel functions. Memory: 3 bytes a pixel for the decoded image, plus
/// K × tile height × padded width scores (<see cref="PeakScoreBufferFloats"/>), plus one run of windows.
/// Images are read at their decoded size (<see cref="ImageTensorOptions.ResizeMode"/> must be
/// <see cref="ImageResizeMode.None"/>), so the mask has the image's size; <see cref="ImageTensorOptions.MaxPixels"/>
/// still applies (raise it for large trusted images).
/// <para>Thread safety: not thread-safe, one <c>Predict</c> at a time per instance (the model itself is thread-safe).</para>
/// </remarks>
public sealed class TiledMaskPredictor
{
    private readonly SegmentationModel _model;
    private readonly TiledInference _tiler;
    private readonly SegmentationImageLoader _loader;
    private readonly float _threshold;
    private readonly bool _probabilities;
    private float[] _scores = Array.Empty<float>();
    private int[] _labels = Array.Empty<int>();
    private float[] _confidence = Array.Empty<float>();

    /// <summary>Creates a predictor; the options are copied.</summary>
    /// <param name="model">A model whose output is scores (logits or probabilities), with 3 input channels.</param>
    /// <param name="imageOptions">Decoding and normalisation; <see langword="null"/> for the defaults. <see cref="ImageTensorOptions.ResizeMode"/> must be <see cref="ImageResizeMode.None"/>.</param>
    /// <param name="tilingOptions">The windows and their blending.</param>
    /// <param name="threshold">The foreground probability of a one-channel model, in (0, 1) (<see cref="ForegroundThreshold"/>); unused for several channels. Default: 0.5.</param>
    /// <param name="augmentation">Test-time augmentation of every window, as <see cref="OnnxSessionOptions.TestTimeAugmentation"/> (copied); <see langword="null"/> for none. Default: <see langword="null"/>.</param>
    /// <exception cref="NotSupportedException">The resize mode is not <see cref="ImageResizeMode.None"/>, or the model outputs an integer mask, or it does not read 3 channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tiling option or the threshold is out of range.</exception>
    /// <exception cref="ArgumentException">An image option is invalid.</exception>
    public TiledMaskPredictor(SegmentationModel model, ImageTensorOptions? imageOptions, TilingOptions tilingOptions, float threshold = ForegroundThreshold.Default, TestTimeAugmentationOptions? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tilingOptions);
        imageOptions ??= new ImageTensorOptions();
        if (imageOptions.ResizeMode != ImageResizeMode.None)
        {
            throw new NotSupportedException(
                $"ImageTensorOptions.ResizeMode is {imageOptions.ResizeMode}; tiled mask prediction reads the image at its decoded size, so set ImageTensorOptions.ResizeMode to None (tiling covers any size).");
        }

        if (model.InputChannels != 3)
        {
            throw new NotSupportedException($"The model '{model.ModelName}' reads {model.InputChannels} channels; decoded images give 3 (RGB or BGR).");
        }

        ForegroundThreshold.Validate(threshold, nameof(threshold));
        _tiler = new TiledInference(model, tilingOptions, augmentation);
        _loader = new SegmentationImageLoader(imageOptions);
        _model = model;
        _threshold = threshold;
        _probabilities = _tiler.ScoresAreProbabilities; // a probability merge of augmented windows gives probabilities
    }

    /// <summary>Also compute each pixel's confidence (the winning class's probability) for the row handler. Default: <see langword="false"/>.</summary>
    public bool ComputeConfidence { get; set; }

    /// <summary>
    /// The number of classes the caller names the labels with, checked against the model's channels at the first band
    /// (a one-channel model has 2 classes); <see langword="null"/> to accept any. Default: <see langword="null"/>.
    /// </summary>
    public int? ExpectedClasses { get; set; }

    /// <summary>Called after each ONNX Runtime run with the windows done and the image's window count (progress on big images).</summary>
    public Action<int, int>? WindowsDone
    {
        get => _tiler.WindowsDone;
        set => _tiler.WindowsDone = value;
    }

    /// <summary>The peak number of score floats the last prediction held (K × tile height × padded width).</summary>
    public long PeakScoreBufferFloats { get; private set; }

    /// <summary>The number of score channels of the last prediction.</summary>
    public int Channels { get; private set; }

    /// <summary>Decodes <paramref name="imagePath"/> and hands every row of its predicted mask to <paramref name="onRow"/>, top to bottom.</summary>
    /// <param name="imagePath">The image file.</param>
    /// <param name="onRow">Receives each row's labels (and confidences, when <see cref="ComputeConfidence"/> is set).</param>
    /// <returns>The image's geometry: the mask is <see cref="ImageGeometry.OriginalWidth"/> × <see cref="ImageGeometry.OriginalHeight"/>.</returns>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="System.IO.InvalidDataException">The file is not a decodable image, or declares more pixels than <see cref="ImageTensorOptions.MaxPixels"/>.</exception>
    /// <exception cref="InvalidOperationException">The model's channels do not match <see cref="ExpectedClasses"/>, or its output is not at the window's size.</exception>
    public ImageGeometry Predict(string imagePath, MaskRowHandler onRow)
    {
        ArgumentNullException.ThrowIfNull(onRow);
        using DecodedImage image = _loader.LoadPixels(imagePath);
        Predict(image, onRow);
        return image.Geometry;
    }

    /// <summary>Hands every row of the predicted mask of an already decoded image to <paramref name="onRow"/>, top to bottom.</summary>
    /// <param name="image">The decoded image; its regions are normalised as the options of the loader that decoded it say (this predictor's image options apply only to <see cref="Predict(string, MaskRowHandler)"/>).</param>
    /// <param name="onRow">Receives each row's labels (and confidences, when <see cref="ComputeConfidence"/> is set).</param>
    /// <exception cref="InvalidOperationException">The model's channels do not match <see cref="ExpectedClasses"/>, or its output is not at the window's size.</exception>
    public void Predict(DecodedImage image, MaskRowHandler onRow)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(onRow);
        Channels = 0;
        PeakScoreBufferFloats = _tiler.Stream(image.Height, image.Width, image.ReadRegion, band => OnBand(band, onRow));
    }

    private void OnBand(TileBand band, MaskRowHandler onRow)
    {
        int channels = band.Channels, rows = band.Rows, width = band.Width, pixels = rows * width;
        if (Channels == 0)
        {
            CheckChannels(channels);
            Channels = channels;
        }

        // The band is copied into one small [1, K, rows, W] tensor: the one scores-to-labels function then applies.
        Grow(ref _scores, channels * pixels);
        Grow(ref _labels, pixels);
        Span<float> scores = _scores.AsSpan(0, channels * pixels);
        band.CopyTo(scores);
        Span<int> labels = _labels.AsSpan(0, pixels);
        MaskPrediction.PredictLabels(scores, new SegmentationShape(1, channels, rows, width), _threshold, _probabilities, labels);
        Span<float> confidence = Span<float>.Empty;
        if (ComputeConfidence)
        {
            Grow(ref _confidence, pixels);
            confidence = _confidence.AsSpan(0, pixels);
            MaskConfidence.Compute(scores, channels, pixels, _probabilities, confidence);
        }

        for (int r = 0; r < rows; r++)
        {
            onRow(band.FirstRow + r, labels.Slice(r * width, width), confidence.IsEmpty ? ReadOnlySpan<float>.Empty : confidence.Slice(r * width, width));
        }
    }

    private void CheckChannels(int channels)
    {
        if (ExpectedClasses is int classes && (channels == 1 ? classes != 2 : channels != classes))
        {
            throw new InvalidOperationException(
                $"The model '{_model.ModelName}' gives {channels} score channel{(channels == 1 ? string.Empty : "s")} per pixel but {classes} classes were named; "
                + (channels == 1 ? "a one-channel model is binary: name two classes (background, foreground)." : $"name the model's {channels} classes, in channel order."));
        }
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }
}
