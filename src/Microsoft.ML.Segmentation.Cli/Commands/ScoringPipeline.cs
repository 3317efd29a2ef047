using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// The stages <c>segml eval</c> and <c>segml predict</c> score with: the catalog's <c>LoadImages</c> and
/// <c>ScoreOnnx</c>, built from the command line's options, so the CLI scores exactly as a user's pipeline does
/// (read-ahead decoding, batched IOBinding runs, the same bad-row and threshold rules).
/// </summary>
internal sealed class ScoringPipeline : IDisposable
{
    private ScoringPipeline(MLContext context, SegmentationEstimator<ImageLoadingTransformer> images, SegmentationEstimator<OnnxScoringTransformer> scorer)
    {
        Context = context;
        Images = images;
        Scorer = scorer;
    }

    /// <summary>The context the stages belong to.</summary>
    public MLContext Context { get; }

    /// <summary>LoadImages with the command's decoding, resizing and normalisation.</summary>
    public SegmentationEstimator<ImageLoadingTransformer> Images { get; }

    /// <summary>ScoreOnnx over <c>--model</c>.</summary>
    public SegmentationEstimator<OnnxScoringTransformer> Scorer { get; }

    /// <summary>The loaded model.</summary>
    public SegmentationModel Model => Scorer.Transformer.Model;

    /// <summary>Whether ScoreOnnx's scores are probabilities: the model's own kind, or probabilities after a test-time augmentation merge.</summary>
    public bool ScoresAreProbabilities { get; private init; }

    /// <summary>Whether the model outputs an integer mask (ScoreOnnx's column is then the predicted mask).</summary>
    public bool OutputsMask => Model.OutputKind == SegmentationOutputKind.Mask;

    /// <summary>
    /// Loads <c>--model</c> into a ScoreOnnx stage. A file that is missing or not an ONNX model, or options that do not
    /// fit it, are bad input whose message names <c>--model</c> (the library's exception is the inner one).
    /// </summary>
    /// <param name="settings">The command's model options.</param>
    /// <param name="maskClassNames">The class names of an integer-mask model's output.</param>
    /// <param name="log">Where ScoreOnnx's messages (provider, fallback) go.</param>
    public static ScoringPipeline Create(ModelSettings settings, IReadOnlyList<string> maskClassNames, Action<string> log)
    {
        var context = new MLContext(seed: 0);
        SegmentationTransforms transforms = context.Segmentation().Transforms;
        settings.Session.Log = log;
        if (settings.Session.Tiling is not null)
        {
            settings.Session.TilingProgress = WindowProgress(log);
        }
        SegmentationEstimator<OnnxScoringTransformer> scorer;
        try
        {
            scorer = transforms.ScoreOnnx(settings.ModelPath, options: settings.Session, maskClassNames: maskClassNames);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new CliInputException($"--model: {CliMessages.Describe(e)}", e);
        }

        bool modelProbabilities = scorer.Transformer.Model.OutputKind == SegmentationOutputKind.Probabilities;
        return new ScoringPipeline(context, transforms.LoadImages(options: settings.Image), scorer)
        {
            ScoresAreProbabilities = settings.Session.TestTimeAugmentation?.MergedScoresAreProbabilities(modelProbabilities) ?? modelProbabilities,
        };
    }

    /// <summary>
    /// Progress within one big tiled image: a line every few seconds once an image has enough windows to take that
    /// long, so a 16k × 16k orthophoto does not look hung; small images print nothing.
    /// </summary>
    private static Action<int, int> WindowProgress(Action<string> log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan next = ProgressReporter.PlainInterval;
        return (done, total) =>
        {
            if (done == total || clock.Elapsed < next)
            {
                return;
            }

            next = clock.Elapsed + ProgressReporter.PlainInterval;
            log($"segml: {done} of {total} windows of this image");
        };
    }

    /// <summary>The data of <paramref name="pairs"/>: columns Name, ImagePath and MaskPath, in order.</summary>
    public IDataView Load(IReadOnlyList<Data.ImageMaskPair> pairs) => Context.Segmentation().LoadPairs(pairs);

    /// <summary>Checks the model's channel count against the class list when the graph fixes it (a dynamic one is checked per image).</summary>
    /// <exception cref="CliInputException">The model gives another number of classes than <paramref name="classes"/>, naming <paramref name="option"/>.</exception>
    public void CheckClassCount(int classes, string option)
    {
        if (OutputsMask || Model.OutputChannels is not int channels)
        {
            return;
        }

        int modelClasses = channels == 1 ? 2 : channels;
        if (modelClasses != classes)
        {
            throw new CliInputException(
                $"The model '{Model.ModelName}' gives {channels} channel(s), so {modelClasses} classes, but {option} names {classes}; a one-channel model has 2 classes (background, foreground).");
        }
    }

    public void Dispose() => Scorer.Transformer.Dispose();
}
