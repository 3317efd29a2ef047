using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Microsoft.ML.Segmentation.Tiling;

/// <summary>
/// Sliding-window inference of one 2-D image <c>[C, H, W]</c> in bounded memory: the windows are run row of windows by
/// row of windows, and the rows that no later window touches are blended and handed to a callback as a
/// <see cref="TileBand"/>, so that a caller can turn them into labels and drop them without ever holding K × H × W
/// floats. The values equal those of <see cref="SlidingWindowInference"/> on the same image, bit for bit.
/// </summary>
/// <remarks>
/// The accumulator holds one tile height of rows: K × tile height × padded width scores and tile height × padded width
/// weights (<see cref="PeakScoreBufferFloats"/>, <see cref="PeakWeightBufferFloats"/>); the windows of one predictor run
/// add TilesPerRun × C × tile floats. The predictor must return one output at the tile's size (any K).
/// Not thread-safe: one <see cref="Run(ImageRegionReader, WindowPredictor, TileBandHandler)"/> at a time.
/// </remarks>
public sealed class BandedSlidingWindow
{
    private readonly int _channels;
    private readonly int _height;
    private readonly int _width;
    private readonly TilingOptions _options;
    private readonly float[] _map;
    private readonly TilingWorkspace _workspace;

    /// <summary>Plans the windows of a <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> image.</summary>
    /// <remarks>The run's buffers are allocated at the first run and kept for the next.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or an option is out of range.</exception>
    public BandedSlidingWindow(int channels, int height, int width, TilingOptions options)
        : this(channels, height, width, options, new TilingWorkspace())
    {
    }

    /// <summary>Plans the windows of one image, its run's buffers taken from (and kept in) <paramref name="workspace"/>.</summary>
    internal BandedSlidingWindow(int channels, int height, int width, TilingOptions options, TilingWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        _workspace = workspace;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        _options = options.Clone();
        _channels = channels;
        _height = height;
        _width = width;
        Grid = WindowGrid.Create(new[] { height, width }, _options);
        _map = workspace.ImportanceMap(Grid.TileSize, _options.Blend, _options.SigmaScalePerAxis(2));
    }

    /// <summary>The windows' placement.</summary>
    public WindowGrid Grid { get; }

    /// <summary>The score floats the accumulator held during the last run: K × tile height × padded width (0 before a run).</summary>
    public long PeakScoreBufferFloats { get; private set; }

    /// <summary>The weight floats the accumulator held during the last run: tile height × padded width (0 before a run).</summary>
    public long PeakWeightBufferFloats { get; private set; }

    /// <summary>Runs an image held in memory, <c>[C, H, W]</c> row-major.</summary>
    /// <exception cref="ArgumentException"><paramref name="image"/> does not hold C × H × W values.</exception>
    public void Run(ReadOnlyMemory<float> image, WindowPredictor predictor, TileBandHandler onBand)
    {
        if (image.Length != (long)_channels * _height * _width)
        {
            throw new ArgumentException($"The image needs {(long)_channels * _height * _width} values ([{_channels}, {_height}, {_width}]); {image.Length} were given.", nameof(image));
        }

        Run(
            (top, left, rows, columns, destination) => PlanarRegion.Copy(image.Span, _channels, _height, _width, top, left, rows, columns, destination),
            predictor,
            onBand);
    }

    /// <summary>
    /// Runs the windows in MONAI's order, reading each from <paramref name="reader"/>, and calls
    /// <paramref name="onBand"/> with every band of finished rows, top to bottom, covering the image once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The predictor returned other than one output <c>[B, K, *tile]</c>, or changed K.</exception>
    public void Run(ImageRegionReader reader, WindowPredictor predictor, TileBandHandler onBand)
    {
        ArgumentNullException.ThrowIfNull(onBand);
        Run(reader, predictor, (band, from, to) => Finish(band, from, to, onBand));
    }

    /// <summary>
    /// Runs the windows as <see cref="Run(ImageRegionReader, WindowPredictor, TileBandHandler)"/> does, dividing every
    /// finished row straight into the full scores <c>[K, H, W]</c> that <paramref name="destination"/> gives for K
    /// (at least K × H × W floats): the same values as the bands, without their in-place division and copy.
    /// </summary>
    internal void RunInto(ImageRegionReader reader, WindowPredictor predictor, Func<int, float[]> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        float[]? scores = null;
        Run(reader, predictor, (band, from, to) =>
        {
            scores ??= destination(band.Classes);
            int padTop = Grid.PadBefore[0];
            int first = Math.Max(from, padTop);
            int end = Math.Min(to, padTop + _height);
            if (end > first)
            {
                band.DivideInto(first - from, end - first, Grid.PadBefore[1], _width, scores, _height * _width, first - padTop);
            }
        });
    }

    /// <summary>
    /// Whether each run of the predictor goes on (on a pool thread) while the previous run's output is blended and the
    /// next run's windows are read, instead of one after the other. For a model on a GPU, where the CPU otherwise waits
    /// for every run and the GPU for every blend. The predictor must then keep each call's output valid while its next
    /// call runs (two output buffers taken in turn); its calls still come one at a time and in order, and the result is
    /// the same bit for bit. On a CPU the runs already take every core: overlapping them gained nothing (measured).
    /// </summary>
    internal bool OverlapRuns { get; init; }

    /// <summary>
    /// Called on the calling thread with each run's window count once its output is in, before it is blended (progress:
    /// with overlapping runs the predictor runs on a pool thread, so it must not report itself).
    /// </summary>
    internal Action<int>? RunCompleted { get; init; }

    private void Run(ImageRegionReader reader, WindowPredictor predictor, Action<BandBuffer, int, int> finish)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(predictor);
        int tileHeight = Grid.TileSize[0];
        int tileWidth = Grid.TileSize[1];
        int paddedWidth = Grid.PaddedSize[1];
        IReadOnlyList<int> rowStarts = Grid.AxisStarts(0);
        IReadOnlyList<int> columnStarts = Grid.AxisStarts(1);
        int perRow = columnStarts.Count;
        int total = Grid.WindowCount;
        int perRun = Math.Min(_options.TilesPerRun, total);
        int runs = (total + perRun - 1) / perRun;
        int windowSize = checked(_channels * tileHeight * tileWidth);
        bool overlap = OverlapRuns && runs > 1;
        float[][] inputs = overlap
            ? [_workspace.Windows(checked(perRun * windowSize)), _workspace.NextWindows(checked(perRun * windowSize))]
            : [_workspace.Windows(checked(perRun * windowSize))];
        int[][] shapes = overlap ? [[0, _channels, tileHeight, tileWidth], [0, _channels, tileHeight, tileWidth]] : [[0, _channels, tileHeight, tileWidth]];
        float[] scratch = Grid.IsPadded ? _workspace.Scratch(windowSize) : Array.Empty<float>();

        // Reads run i's windows into its input buffer; its shape's batch is the run's window count.
        int Gather(int run)
        {
            int first = run * perRun;
            int count = Math.Min(perRun, total - first);
            float[] windows = inputs[run % inputs.Length];
            for (int j = 0; j < count; j++)
            {
                int w = first + j;
                Read(reader, rowStarts[w / perRow], columnStarts[w % perRow], windows.AsSpan(j * windowSize, windowSize), scratch);
            }

            shapes[run % shapes.Length][0] = count;
            return count;
        }

        IReadOnlyList<FloatTensor> Predict(int run, int count)
            => predictor(inputs[run % inputs.Length].AsSpan(0, count * windowSize), shapes[run % shapes.Length])
                ?? throw new InvalidOperationException("The window predictor returned null.");

        var band = new BandBuffer(tileHeight, paddedWidth, _workspace);
        PeakWeightBufferFloats = band.WeightFloats;
        PeakScoreBufferFloats = 0;
        int bufferTop = 0;
        Task<IReadOnlyList<FloatTensor>>? next = null;
        try
        {
            int nextCount = overlap ? Gather(0) : 0;
            if (overlap)
            {
                int firstCount = nextCount;
                next = Task.Run(() => Predict(0, firstCount));
            }

            for (int run = 0; run < runs; run++)
            {
                int count;
                IReadOnlyList<FloatTensor> predictions;
                if (overlap)
                {
                    count = nextCount;
                    nextCount = run + 1 < runs ? Gather(run + 1) : 0; // while run `run` is in flight
                    Task<IReadOnlyList<FloatTensor>> current = next!;
                    next = null;
                    predictions = current.GetAwaiter().GetResult();
                    if (run + 1 < runs)
                    {
                        int following = run + 1, followingCount = nextCount;
                        next = Task.Run(() => Predict(following, followingCount)); // in flight while this run is blended
                    }
                }
                else
                {
                    count = Gather(run);
                    predictions = Predict(run, count);
                }

                RunCompleted?.Invoke(count);
                Blend(predictions, run * perRun, count);
            }
        }
        finally
        {
            // A failed blend leaves no run going on behind the caller's back (its own failure, if any, is second).
            if (next is not null)
            {
                try
                {
                    next.GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                    // The exception already on its way out is the one to report.
                }
            }
        }

        finish(band, bufferTop, Grid.PaddedSize[0]);

        void Blend(IReadOnlyList<FloatTensor> predictions, int first, int count)
        {
            int classes = CheckOutput(predictions, count, tileHeight, tileWidth, band.Classes);
            if (band.Classes == 0)
            {
                band.Allocate(classes);
                PeakScoreBufferFloats = band.ScoreFloats;
            }

            ReadOnlySpan<float> values = predictions[0].Values.Span;
            int perWindow = classes * tileHeight * tileWidth;
            for (int j = 0; j < count; j++)
            {
                int w = first + j;
                int top = rowStarts[w / perRow];
                if (top != bufferTop)
                {
                    // A new row of windows: the rows above its top are final (starts only grow).
                    finish(band, bufferTop, top);
                    band.Shift(top - bufferTop);
                    bufferTop = top;
                }

                band.Add(columnStarts[w % perRow], values.Slice(j * perWindow, perWindow), _map, tileWidth);
            }
        }
    }

    /// <summary>Divides padded rows [from, to) (buffer rows 0 …) and hands their part inside the image to the callback.</summary>
    private void Finish(BandBuffer band, int from, int to, TileBandHandler onBand)
    {
        int rows = to - from;
        band.Normalise(rows);
        int padTop = Grid.PadBefore[0];
        int first = Math.Max(from, padTop);
        int end = Math.Min(to, padTop + _height);
        if (end > first)
        {
            onBand(new TileBand(band.Scores, band.Classes, band.PlaneStride, band.RowStride, first - from, Grid.PadBefore[1], first - padTop, end - first, _width));
        }
    }

    /// <summary>Fills one window at padded (top, left): straight from the reader, or padded around the part inside the image.</summary>
    private void Read(ImageRegionReader reader, int top, int left, Span<float> window, float[] scratch)
    {
        int tileHeight = Grid.TileSize[0];
        int tileWidth = Grid.TileSize[1];
        int y = top - Grid.PadBefore[0];
        int x = left - Grid.PadBefore[1];
        int r0 = Math.Max(y, 0);
        int r1 = Math.Min(y + tileHeight, _height);
        int c0 = Math.Max(x, 0);
        int c1 = Math.Min(x + tileWidth, _width);
        int rows = r1 - r0;
        int columns = c1 - c0;
        if (rows == tileHeight && columns == tileWidth)
        {
            reader(r0, c0, rows, columns, window);
            return;
        }

        window.Fill(_options.PaddingValue);
        Span<float> region = scratch.AsSpan(0, _channels * rows * columns);
        reader(r0, c0, rows, columns, region);
        for (int c = 0; c < _channels; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                region.Slice(((c * rows) + r) * columns, columns)
                    .CopyTo(window.Slice((((c * tileHeight) + (r0 - y) + r) * tileWidth) + (c0 - x), columns));
            }
        }
    }

    private static int CheckOutput(IReadOnlyList<FloatTensor> predictions, int count, int tileHeight, int tileWidth, int classes)
    {
        if (predictions.Count != 1)
        {
            throw new InvalidOperationException($"The banded path blends one predictor output; the predictor returned {predictions.Count}.");
        }

        IReadOnlyList<int> shape = predictions[0].Shape;
        bool ok = shape.Count == 4 && shape[0] == count && shape[1] >= 1 && shape[2] == tileHeight && shape[3] == tileWidth
            && (classes == 0 || shape[1] == classes);
        if (!ok)
        {
            throw new InvalidOperationException(
                $"The banded path needs predictor outputs [{count}, K, {tileHeight}, {tileWidth}]{(classes == 0 ? string.Empty : $" with K = {classes}")}; got {predictions[0]}.");
        }

        return shape[1];
    }
}
