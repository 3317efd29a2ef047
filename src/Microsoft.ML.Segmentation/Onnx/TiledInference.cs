using System;
using System.Collections.Generic;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Onnx;

/// <summary>
/// Sliding-window inference of a <see cref="SegmentationModel"/> over images larger than it was trained on, with
/// MONAI's semantics (<see cref="TilingOptions"/>): windows batched <see cref="TilingOptions.TilesPerRun"/> per ONNX
/// Runtime run through the model's IOBinding path, blended constant or Gaussian. <see cref="Score"/> returns the full
/// <c>[K,H,W]</c> scores; <see cref="Stream"/> hands them out a band of finished rows at a time, so a caller can turn
/// them into labels without ever holding K × H × W floats.
/// </summary>
/// <remarks>Blending applies to what the model outputs (logits or probabilities), as MONAI blends the predictor's output.
/// The model must output scores at the window's size (<see cref="OnnxSessionOptions.UpsampleToInput"/>, the default,
/// brings a smaller output there). Not thread-safe: one run at a time per instance (the model itself is thread-safe).</remarks>
public sealed class TiledInference
{
    private readonly SegmentationModel _model;
    private readonly TilingOptions _options;
    private readonly TestTimeAugmentationOptions? _augmentation;
    private readonly WindowPredictor _predictor;
    private readonly TilingWorkspace _workspace = new();
    private readonly float[][] _scores = [[], []]; // taken in turn when runs overlap the blend (BandedSlidingWindow.OverlapRuns)
    private int _calls;
    private bool _overlapping;

    /// <summary>Tiles <paramref name="model"/> with <paramref name="options"/> (copied), each window optionally test-time augmented.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The tiling; <see langword="null"/> for one window over the whole image (test-time augmentation alone).</param>
    /// <param name="augmentation">Flips, rotations and scales per window, merged (copied); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <exception cref="NotSupportedException">The model outputs an integer mask: masks cannot be blended or averaged.</exception>
    public TiledInference(SegmentationModel model, TilingOptions? options, TestTimeAugmentationOptions? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new TilingOptions();
        options.Validate(2);
        augmentation?.Validate();
        if (model.OutputKind == SegmentationOutputKind.Mask)
        {
            throw new NotSupportedException(
                $"The model '{model.ModelName}' outputs an integer mask; tiling blends scores (logits or probabilities) of overlapping windows, so score a model without ArgMax (or set OnnxSessionOptions.Tiling to null).");
        }

        _model = model;
        _options = options.Clone();
        _augmentation = augmentation?.Clone();
        _predictor = _augmentation is null ? Predict : TestTimeAugmentation.Wrap(Predict, _augmentation, model.OutputKind == SegmentationOutputKind.Probabilities);
    }

    /// <summary>
    /// Whether the scores this gives are probabilities: the model's own, or the probabilities a test-time augmentation
    /// merge averages (<see cref="TtaMerge.Probabilities"/>).
    /// </summary>
    public bool ScoresAreProbabilities => _augmentation?.MergedScoresAreProbabilities(_model.OutputKind == SegmentationOutputKind.Probabilities)
        ?? _model.OutputKind == SegmentationOutputKind.Probabilities;

    /// <summary>
    /// Whether each ONNX Runtime run goes on while the previous run's scores are blended: <see langword="null"/> (the
    /// default) when the model runs on a GPU provider (CUDA, TensorRT) and no test-time augmentation is set, where the
    /// CPU would otherwise wait for every run; never with test-time augmentation. Results are the same bit for bit.
    /// </summary>
    internal bool? OverlapRuns { get; set; }

    /// <summary>Whether the next image's runs overlap its blending (see <see cref="OverlapRuns"/>).</summary>
    internal bool OverlapsRuns => _augmentation is null && (OverlapRuns ?? _model.ExecutionProvider != OnnxExecutionProvider.Cpu);

    /// <summary>Called after each run of windows with the windows done and the image's window count (progress on big images), on the thread that scores the image.</summary>
    public Action<int, int>? WindowsDone { get; set; }

    /// <summary>The windows of a <paramref name="height"/> × <paramref name="width"/> image.</summary>
    /// <returns>The window grid.</returns>
    public WindowGrid Plan(int height, int width) => WindowGrid.Create([height, width], _options);

    /// <summary>Scores one image <c>[C,H,W]</c> (C = <see cref="SegmentationModel.InputChannels"/>) into <paramref name="scores"/>, grown as needed.</summary>
    /// <param name="image">The image tensor.</param>
    /// <param name="height">Its height.</param>
    /// <param name="width">Its width.</param>
    /// <param name="scores">Receives the blended scores <c>[K,H,W]</c>; replaced by a larger array when too small.</param>
    /// <returns>The scores' shape <c>[1,K,H,W]</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="image"/> does not hold C × H × W values.</exception>
    public SegmentationShape Score(ReadOnlyMemory<float> image, int height, int width, ref float[] scores)
    {
        long needed = (long)_model.InputChannels * height * width;
        if (image.Length != needed)
        {
            throw new ArgumentException($"The image needs {needed} values ([{_model.InputChannels}, {height}, {width}]); {image.Length} were given.", nameof(image));
        }

        int channels = _model.InputChannels;
        return ScoreRegions(
            (top, left, rows, columns, destination) => PlanarRegion.Copy(image.Span, channels, height, width, top, left, rows, columns, destination),
            height,
            width,
            ref scores);
    }

    /// <summary>Scores one image read region by region from <paramref name="reader"/> into <paramref name="scores"/> (<c>[K,H,W]</c>, grown as needed).</summary>
    internal SegmentationShape ScoreRegions(ImageRegionReader reader, int height, int width, ref float[] scores)
    {
        int classes = 0;
        float[] result = scores;
        Start(height, width).RunInto(reader, _predictor, k =>
        {
            classes = k;
            long needed = (long)classes * height * width;
            if (result.Length < needed)
            {
                result = new float[checked((int)needed)];
            }

            return result;
        });
        scores = result;
        return new SegmentationShape(1, classes, height, width);
    }

    /// <summary>
    /// Runs the windows of a <paramref name="height"/> × <paramref name="width"/> image read region by region from
    /// <paramref name="reader"/> (for example normalised from the decoded pixels), handing every band of finished rows,
    /// top to bottom, to <paramref name="onBand"/>.
    /// </summary>
    /// <returns>The peak number of score floats held (K × tile height × padded width).</returns>
    public long Stream(int height, int width, ImageRegionReader reader, TileBandHandler onBand)
    {
        BandedSlidingWindow banded = Start(height, width);
        banded.Run(reader, _predictor, onBand);
        return banded.PeakScoreBufferFloats;
    }

    private int _done;
    private int _total;

    private BandedSlidingWindow Start(int height, int width)
    {
        _overlapping = OverlapsRuns;
        _calls = 0; // each image starts at the first score buffer: an image of one run never takes the second
        var banded = new BandedSlidingWindow(_model.InputChannels, height, width, _options, _workspace)
        {
            OverlapRuns = _overlapping,
            RunCompleted = ReportProgress,
        };
        _augmentation?.Validate(banded.Grid.TileSize[0], banded.Grid.TileSize[1]); // D4 needs square windows: say so before any run
        _done = 0;
        _total = banded.Grid.WindowCount;
        return banded;
    }

    /// <summary>After each run of windows (test-time augmentation's runs of one batch counted once), on the calling thread.</summary>
    private void ReportProgress(int windows)
    {
        _done += windows;
        WindowsDone?.Invoke(Math.Min(_done, _total), _total);
    }

    /// <summary>One ONNX Runtime run over a batch of windows <c>[B,C,th,tw]</c>.</summary>
    private IReadOnlyList<FloatTensor> Predict(ReadOnlySpan<float> windows, IReadOnlyList<int> shape)
    {
        int batch = shape[0], height = shape[2], width = shape[3];
        // Overlapping runs: this run's scores must not overwrite the previous run's, which are being blended.
        int slot = _overlapping ? _calls++ & 1 : 0;
        ref float[] scores = ref _scores[slot];
        SegmentationShape output = _model.Run(windows, batch, height, width, ref scores);
        if (output.Height != height || output.Width != width)
        {
            throw new InvalidOperationException(
                $"The model '{_model.ModelName}' returned {output} for {batch} window(s) of {width}x{height}; tiling needs scores at the window's size (set OnnxSessionOptions.UpsampleToInput).");
        }

        return [new FloatTensor(scores.AsMemory(0, output.ElementCount), [batch, output.Classes, height, width])];
    }
}
