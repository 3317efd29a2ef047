using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml predict --tile</c> on images read at their own size: each image is decoded once into 8-bit pixels and its
/// mask streamed band by band (<see cref="TiledMaskPredictor"/>) into row-filled PNG images, so neither the float tensor
/// of the image nor its K × H × W scores are ever held: a 16k × 16k orthophoto fits in a few GB. The files are those
/// the pipeline path writes (the same labels and confidences, the same encoders).
/// </summary>
internal sealed class StreamedPrediction
{
    private readonly TiledMaskPredictor _predictor;
    private readonly SegmentationImageLoader _loader;
    private readonly SegmentationModel _model;
    private readonly int _classCount;

    private StreamedPrediction(ModelSettings settings, SegmentationModel model, int classCount, bool confidence)
    {
        _model = model;
        _classCount = classCount;
        _loader = new SegmentationImageLoader(settings.Image);
        _predictor = new TiledMaskPredictor(model, settings.Image, settings.Session.Tiling!, settings.Threshold, settings.Session.TestTimeAugmentation)
        {
            ComputeConfidence = confidence,
            WindowsDone = settings.Session.TilingProgress,
        };
    }

    /// <summary>
    /// The streamed path when it gives what the pipeline would: tiled scores of a score model over images that are not
    /// resized; otherwise <see langword="null"/> (the pipeline's LoadImages → ScoreOnnx → PredictMasks then runs).
    /// </summary>
    public static StreamedPrediction? For(ModelSettings settings, ScoringPipeline scoring, int classCount, bool confidence)
        => settings.Session.Tiling is not null && !scoring.OutputsMask && settings.Image.ResizeMode == ImageResizeMode.None
            ? new StreamedPrediction(settings, scoring.Model, classCount, confidence)
            : null;

    /// <summary>Writes the mask (and the colour and confidence images asked for) of one image; returns what the JSON lists for it.</summary>
    public object Write(string file, string maskPath, string? colorPath, string? confidencePath)
    {
        int width, height;
        using var mask = new MaskCanvas();
        using (DecodedImage image = _loader.LoadPixels(file))
        {
            width = image.Width;
            height = image.Height;
            mask.Labels = new IndexMaskImage(width, height, Math.Min(_classCount, 65535), ignoreIndex: null);
            mask.Levels = confidencePath is null ? null : new IndexMaskImage(width, height, 256, ignoreIndex: null);
            int[] levels = new int[width];
            _predictor.Predict(image, (row, labels, confidence) =>
            {
                if (row == 0)
                {
                    CheckChannels(_predictor.Channels);
                }

                mask.Labels.SetRow(row, labels);
                if (mask.Levels is not null)
                {
                    for (int x = 0; x < width; x++)
                    {
                        levels[x] = ConfidenceLevel(confidence[x]);
                    }

                    mask.Levels.SetRow(row, levels);
                }
            });
        }

        // The pixels are gone before the colour image (3 bytes a pixel) is made from the index mask.
        mask.Labels.SaveIndexPng(maskPath);
        mask.Levels?.SaveIndexPng(confidencePath!);
        mask.Levels?.Dispose();
        mask.Levels = null;
        if (colorPath is not null)
        {
            mask.Labels.SaveColorPng(colorPath);
        }

        return new { image = file, mask = maskPath, color = colorPath, confidence = confidencePath, width, height };
    }

    /// <summary>The 8-bit level of a confidence in the confidence PNG: the probability × 255, rounded.</summary>
    public static int ConfidenceLevel(float probability) => (int)Math.Round(Math.Clamp(probability, 0f, 1f) * 255);

    /// <summary>As PredictMasks checks its class names: one channel per class, or one channel for two classes.</summary>
    private void CheckChannels(int channels)
    {
        if (channels == 1 ? _classCount != 2 : channels != _classCount)
        {
            throw BadRows.MarkModelMismatch(new ArgumentException(
                $"The model '{_model.ModelName}' gives {channels} score channel{(channels == 1 ? string.Empty : "s")} per pixel but {_classCount} classes were named; "
                + (channels == 1 ? "a one-channel model is binary: give two names (background, foreground)." : $"give --classes the model's {channels} class names, in channel order."),
                "classNames"));
        }
    }

    /// <summary>The images one mask is filled into, disposed together.</summary>
    private sealed class MaskCanvas : IDisposable
    {
        public IndexMaskImage Labels { get; set; } = null!;

        public IndexMaskImage? Levels { get; set; }

        public void Dispose()
        {
            Labels?.Dispose();
            Levels?.Dispose();
        }
    }
}
