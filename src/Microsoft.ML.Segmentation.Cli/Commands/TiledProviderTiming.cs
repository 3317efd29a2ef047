using System.Diagnostics;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml providers --tiled-image WxH</c>: sliding-window inference of one random image per provider, timed against
/// the same ONNX Runtime runs alone (the same windows per run, nothing blended), so a line says how much of tiled
/// inference is the model and how much SegML's window copies and blending around it. On a GPU the model's share falls
/// and the CPU's work around the runs is what is left; this measures it before anything is changed for it.
/// </summary>
/// <remarks>Each iteration times one tiled image, then the runs alone, so the two medians come from interleaved,
/// paired measurements (a machine whose clock or load drifts moves both). Where the tiler overlaps its runs with the
/// blend (a GPU provider), each iteration also times it with the runs one after the other (<c>tiled_serial_ms</c>) and
/// checks that both give the same scores. The labels are compared with the CPU's tiled labels of the same image.</remarks>
internal sealed class TiledProviderTiming
{
    /// <summary>The image's height.</summary>
    public required int Height { get; init; }

    /// <summary>The image's width.</summary>
    public required int Width { get; init; }

    /// <summary>The windows (their size and the windows per run are <c>--size</c> and <c>--batch</c>).</summary>
    public required TilingOptions Tiling { get; init; }

    /// <summary>Forces the tiler's runs to overlap the blend or not (<see cref="TiledInference.OverlapRuns"/>); <see langword="null"/> for its default (overlapping on GPU providers).</summary>
    internal bool? OverlapRuns { get; init; }

    /// <summary>A random image <c>[C,H,W]</c>, uniform in [-1,1) as the provider check's batch.</summary>
    public float[] RandomImage(int channels, int seed)
    {
        var random = new Random(seed + 1);
        var image = new float[checked(channels * Height * Width)];
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (random.NextSingle() * 2) - 1;
        }

        return image;
    }

    /// <summary>The predicted class per pixel of <paramref name="model"/> tiled over <paramref name="image"/>.</summary>
    /// <exception cref="ArgumentException">The model outputs a mask (tiling blends scores; the message says so).</exception>
    public int[] Labels(SegmentationModel model, float[] image)
    {
        TiledInference tiled = Create(model);
        float[] scores = [];
        SegmentationShape shape = tiled.Score(image, Height, Width, ref scores);
        return ProviderCheck.Argmax(scores, shape, model.OutputKind);
    }

    /// <summary>
    /// Adds to <paramref name="line"/>: the image and its windows and runs, the median milliseconds of one tiled image
    /// and of its runs alone, the share of the tiled time outside the runs (median of the paired ratios) and the labels'
    /// agreement with <paramref name="reference"/>.
    /// </summary>
    /// <param name="model">The provider's session.</param>
    /// <param name="image">The image <c>[C,H,W]</c>.</param>
    /// <param name="windows">At least one run's windows <c>[B,C,th,tw]</c> (the provider check's batch) for the runs alone.</param>
    /// <param name="reference">The CPU's tiled labels of <paramref name="image"/>.</param>
    /// <param name="iterations">Timed iterations.</param>
    /// <param name="warmup">Untimed iterations first.</param>
    /// <param name="line">The provider's JSON line.</param>
    public void Measure(SegmentationModel model, float[] image, float[] windows, int[] reference, int iterations, int warmup, Dictionary<string, object?> line)
    {
        TiledInference tiled = Create(model);
        WindowGrid grid = tiled.Plan(Height, Width);
        int tileHeight = grid.TileSize[0], tileWidth = grid.TileSize[1];
        int perRun = Tiling.TilesPerRun;
        int runs = (grid.WindowCount + perRun - 1) / perRun;
        int windowFloats = model.InputChannels * tileHeight * tileWidth;
        if (windows.Length < perRun * windowFloats)
        {
            throw new ArgumentException($"The runs alone need {perRun} windows of {windowFloats} values; {windows.Length} values were given.", nameof(windows));
        }

        // On a GPU the runs overlap the blend by default: the same tiler with them one after the other, timed in turn.
        TiledInference? serial = tiled.OverlapsRuns ? new TiledInference(model, Tiling) { OverlapRuns = false } : null;
        float[] scores = [];
        float[] serialScores = [];
        float[] runScores = [];
        SegmentationShape shape = default;
        var tiledMs = new double[iterations];
        var serialMs = new double[iterations];
        var modelMs = new double[iterations];
        var outside = new double[iterations];
        var clock = new Stopwatch();
        for (int i = -warmup; i < iterations; i++)
        {
            clock.Restart();
            shape = tiled.Score(image, Height, Width, ref scores);
            double tiledTime = clock.Elapsed.TotalMilliseconds;

            double serialTime = 0;
            if (serial is not null)
            {
                clock.Restart();
                _ = serial.Score(image, Height, Width, ref serialScores);
                serialTime = clock.Elapsed.TotalMilliseconds;
            }

            clock.Restart();
            for (int run = 0; run < runs; run++)
            {
                int batch = Math.Min(perRun, grid.WindowCount - (run * perRun));
                _ = model.Run(windows.AsSpan(0, batch * windowFloats), batch, tileHeight, tileWidth, ref runScores);
            }

            double modelTime = clock.Elapsed.TotalMilliseconds;
            if (i >= 0)
            {
                tiledMs[i] = tiledTime;
                serialMs[i] = serialTime;
                modelMs[i] = modelTime;
                outside[i] = 100 * (1 - (modelTime / tiledTime));
            }
        }

        int[] labels = ProviderCheck.Argmax(scores, shape, model.OutputKind);
        line["tiled_image"] = $"{Width}x{Height}";
        line["tiled_windows"] = grid.WindowCount;
        line["tiled_runs"] = runs;
        line["tiled_blend"] = Tiling.Blend.ToString().ToLowerInvariant();
        line["tiled_overlaps_runs"] = serial is not null;
        line["tiled_ms"] = Math.Round(Median(tiledMs), 2);
        if (serial is not null)
        {
            line["tiled_serial_ms"] = Math.Round(Median(serialMs), 2); // the runs one after the other, as on a CPU
            line["tiled_agrees_with_serial"] = scores.AsSpan(0, shape.ElementCount).SequenceEqual(serialScores.AsSpan(0, shape.ElementCount));
        }

        line["tiled_runs_alone_ms"] = Math.Round(Median(modelMs), 2);
        line["tiled_outside_runs_pct"] = Math.Round(Median(outside), 1);
        line["tiled_argmax_agreement_pct"] = Math.Round(ProviderCheck.AgreementPercent(labels, reference), 4);
    }

    private TiledInference Create(SegmentationModel model)
    {
        if (model.OutputKind == SegmentationOutputKind.Mask)
        {
            throw new ArgumentException(
                $"The model '{model.ModelName}' outputs an integer mask; --tiled-image blends the scores of overlapping windows, so it needs a model that outputs logits or probabilities.");
        }

        return new TiledInference(model, Tiling) { OverlapRuns = OverlapRuns };
    }

    private static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
