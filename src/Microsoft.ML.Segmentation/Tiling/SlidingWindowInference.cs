using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Sliding-window inference over an in-memory batch <c>[N, C, *spatial]</c> (any number of spatial axes), with the
/// semantics of MONAI 1.5.0's <c>sliding_window_inference</c>: the windows of <see cref="WindowGrid"/>, taken batch item
/// by batch item and handed to the predictor <see cref="TilingOptions.TilesPerRun"/> at a time (a run may hold windows
/// of two items), each output blended as Σ w·scores / Σ w with the <see cref="ImportanceMap"/>, padding cropped away.
/// </summary>
/// <remarks>
/// This path holds the whole output (N × K × image floats per output). For large 2-D images,
/// <see cref="BandedSlidingWindow"/> gives the same values band by band in bounded memory.
/// </remarks>
public static class SlidingWindowInference
{
    /// <summary>Runs <paramref name="predictor"/> over the windows of <paramref name="input"/> and blends its outputs.</summary>
    /// <param name="input">The batch, row-major, <paramref name="shape"/> = <c>[N, C, *spatial]</c>.</param>
    /// <param name="shape">The input's shape: rank 3 or more, every size 1 or more.</param>
    /// <param name="options">The tiling settings (validated against the spatial rank).</param>
    /// <param name="predictor">The model: windows <c>[B, C, *tile]</c> in, one or more outputs <c>[B, K, *out]</c> out.</param>
    /// <returns>One blended tensor <c>[N, K, *spatial·out/tile]</c> per predictor output, in the predictor's order.</returns>
    /// <exception cref="ArgumentException">The shape or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The predictor returned no output, or outputs of the wrong batch or rank, or changed shapes between runs.</exception>
    /// <exception cref="NotSupportedException">A multi-resolution output whose windows do not scale to whole pixels.</exception>
    public static IReadOnlyList<FloatTensor> Run(ReadOnlySpan<float> input, IReadOnlyList<int> shape, TilingOptions options, WindowPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(predictor);
        if (shape.Count < 3 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"Sliding-window input must be [N, C, *spatial] with every size 1 or more; got [{string.Join(", ", shape)}].", nameof(shape));
        }

        if (WindowRegion.Count(shape.ToArray()) != input.Length)
        {
            throw new ArgumentException($"Input shape [{string.Join(", ", shape)}] needs {WindowRegion.Count(shape.ToArray())} values; {input.Length} were given.", nameof(input));
        }

        int rank = shape.Count - 2;
        int batch = shape[0];
        int channels = shape[1];
        WindowGrid grid = WindowGrid.Create(shape.Skip(2).ToArray(), options);
        int[] tile = grid.TileSize.ToArray();
        int[] padded = grid.PaddedSize.ToArray();
        float[] map = ImportanceMap.Create(tile, options.Blend, options.SigmaScalePerAxis(rank));

        int windowSize = checked((int)(channels * WindowRegion.Count(tile)));
        long total = (long)grid.WindowCount * batch;
        int perRun = (int)Math.Min(options.TilesPerRun, total);
        var windows = new float[checked(perRun * windowSize)];
        var gather = new WindowGather(channels, grid, options.PaddingValue);
        int[] windowShape = new[] { 0, channels }.Concat(tile).ToArray();
        var start = new int[rank];
        List<StitchedOutput>? outputs = null;
        for (long first = 0; first < total; first += perRun)
        {
            int count = (int)Math.Min(perRun, total - first);
            for (int j = 0; j < count; j++)
            {
                long index = first + j;
                grid.GetStart((int)(index % grid.WindowCount), start);
                gather.Gather(input, (int)(index / grid.WindowCount), start, windows.AsSpan(j * windowSize, windowSize));
            }

            windowShape[0] = count;
            IReadOnlyList<FloatTensor> predictions = predictor(windows.AsSpan(0, count * windowSize), windowShape)
                ?? throw new InvalidOperationException("The window predictor returned null.");
            outputs ??= CreateOutputs(predictions, batch, tile, padded, map, grid);
            CheckShapes(predictions, outputs, count);
            for (int o = 0; o < outputs.Count; o++)
            {
                StitchedOutput output = outputs[o];
                ReadOnlySpan<float> values = predictions[o].Values.Span;
                int perWindow = values.Length / count;
                for (int j = 0; j < count; j++)
                {
                    long index = first + j;
                    grid.GetStart((int)(index % grid.WindowCount), start);
                    output.Add((int)(index / grid.WindowCount), start, values.Slice(j * perWindow, perWindow));
                }
            }
        }

        return outputs!.Select(o => o.Finish(batch, grid)).ToArray();
    }

    /// <summary>The stitching buffers of every output, from the first run's shapes; each output's map resized as MONAI chains it.</summary>
    private static List<StitchedOutput> CreateOutputs(IReadOnlyList<FloatTensor> predictions, int batch, int[] tile, int[] padded, float[] map, WindowGrid grid)
    {
        if (predictions.Count == 0)
        {
            throw new InvalidOperationException("The window predictor returned no output.");
        }

        var outputs = new List<StitchedOutput>(predictions.Count);
        float[] weights = map;
        int[] weightSize = tile;
        foreach (FloatTensor prediction in predictions)
        {
            if (prediction.Shape.Count != tile.Length + 2)
            {
                throw new InvalidOperationException($"A window predictor output has shape {prediction}; windows of rank {tile.Length + 2} need outputs [B, K, *out] of the same rank.");
            }

            int[] size = prediction.Shape.Skip(2).ToArray();
            if (size.Any(d => d < 1) || prediction.Shape[1] < 1)
            {
                throw new InvalidOperationException($"A window predictor output has shape {prediction}, with an empty axis.");
            }

            // MONAI resizes its running weight map w_t in place of the output loop, so a third output's map is resized
            // from the second's; an output at tile size after a resized one would not broadcast there either.
            if (!size.SequenceEqual(tile))
            {
                weights = ImportanceMap.ResizeNearestExact(weights, weightSize, size);
                weightSize = size;
            }
            else if (!weightSize.SequenceEqual(tile))
            {
                throw new NotSupportedException("An output at tile size after a resized output is not supported (MONAI cannot blend it either).");
            }

            var output = new StitchedOutput(batch, prediction.Shape[1], size, tile, padded, weights);
            output.AddWeights(grid);
            outputs.Add(output);
        }

        return outputs;
    }

    private static void CheckShapes(IReadOnlyList<FloatTensor> predictions, List<StitchedOutput> outputs, int count)
    {
        if (predictions.Count != outputs.Count)
        {
            throw new InvalidOperationException($"The window predictor returned {predictions.Count} outputs; its first run returned {outputs.Count}.");
        }

        for (int o = 0; o < outputs.Count; o++)
        {
            IReadOnlyList<int> shape = predictions[o].Shape;
            bool same = shape.Count == outputs[o].WindowSize.Count + 2 && shape[0] == count && shape[1] == outputs[o].Channels
                && shape.Skip(2).SequenceEqual(outputs[o].WindowSize);
            if (!same)
            {
                throw new InvalidOperationException(
                    $"Window predictor output {o} has shape {predictions[o]} for {count} windows; expected [{count}, {outputs[o].Channels}, {string.Join(", ", outputs[o].WindowSize)}].");
            }
        }
    }
}
