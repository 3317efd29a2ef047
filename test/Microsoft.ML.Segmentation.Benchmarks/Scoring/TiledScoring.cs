using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;
using Microsoft.ML.Segmentation.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Benchmarks.Scoring;

/// <summary>
/// <c>--quick-scoring --parts tiled</c>: what sliding-window inference adds to the model's own time on a large image.
/// The baseline, <c>raw_ort_windows</c>, is ONNX Runtime alone on the same windows (each copied out of the image into
/// one pinned batch of <see cref="TilesPerRun"/>, run into a pre-created output OrtValue, nothing blended) plus one
/// argmax over an image-sized <c>[K,H,W]</c> score array (the windows' scores pasted there once, untimed): the least
/// any tiler that predicts a mask must do, the ceiling for SegML. Against it, pass by pass in alternating order: <c>segml_tiled_scores</c>
/// (<see cref="TiledInference.Score"/>, the blended <c>[K,H,W]</c> scores that ScoreOnnx with Tiling gives), and
/// <c>segml_tiled_streamed</c> (<see cref="TiledInference.Stream"/> with the argmax of every band, what
/// <c>segml predict --tile</c> does once the image is decoded). Each line gives the median per-pair ratio
/// <c>vs_raw_ort_windows</c> (above 1: faster than the baseline); both SegML lines give the same mask checksum.
/// From the image saved as a PNG, decode included: <c>segml_tiled_pipeline</c> (LoadImages → ScoreOnnx with Tiling →
/// PredictMasks, the masks read through a cursor: <c>segml eval --tile</c>'s path) against <c>segml_tiled_predictor</c>
/// (<see cref="TiledMaskPredictor"/>: <c>segml predict --tile</c>'s), ratio <c>vs_tiled_predictor</c>.
/// </summary>
/// <remarks>
/// The image (<see cref="Width"/> × <see cref="Height"/>) is the workload's decoded 256² images laid side by side, 512²
/// Gaussian-blended windows with MONAI's overlap 0.25: 5 × 4 = 20 windows. The model sessions use SegML's default CPU
/// settings on both sides (all graph optimisations, ONNX Runtime's thread counts).
/// </remarks>
internal static class TiledScoring
{
    public const int Width = 2048;

    public const int Height = 1536;

    public const int Tile = 512;

    public const int TilesPerRun = 4;

    public static void Run(TextWriter output, ScoringWorkload workload, double seconds)
    {
        float[] image = Compose(workload);
        var options = new TilingOptions { TileSize = [Tile, Tile], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = TilesPerRun };
        foreach (ScoringModel model in workload.Models)
        {
            using var raw = new RawWindows(model, image, options);
            using var segml = SegmentationModel.Load(model.Path);
            var tiler = new TiledInference(segml, options);
            float[] scores = [];
            var labels = new int[Height * Width];
            long Scores()
            {
                SegmentationShape shape = tiler.Score(image, Height, Width, ref scores);
                MaskPrediction.Argmax<float>(scores.AsSpan(0, shape.ElementCount), shape, labels);
                return MaskChecksum.Sum(labels);
            }

            float[] planes = [];
            long Streamed()
            {
                long sum = 0;
                tiler.Stream(Height, Width, (top, left, rows, columns, destination) => Copy(image, top, left, rows, columns, destination), band =>
                {
                    var bandShape = new SegmentationShape(1, band.Channels, band.Rows, band.Width);
                    if (planes.Length < bandShape.ElementCount)
                    {
                        planes = new float[bandShape.ElementCount];
                    }

                    band.CopyTo(planes);
                    Span<int> bandLabels = labels.AsSpan(0, bandShape.PixelCount);
                    MaskPrediction.Argmax<float>(planes.AsSpan(0, bandShape.ElementCount), bandShape, bandLabels);
                    sum += MaskChecksum.Sum(bandLabels);
                });
                return sum;
            }

            string windows = string.Create(CultureInfo.InvariantCulture, $",\"windows\":{raw.WindowCount}");
            MeasurePaired(output, model, ("raw_ort_windows", raw.ScoreAll), ("segml_tiled_scores", Scores), seconds, windows);
            MeasurePaired(output, model, ("raw_ort_windows", raw.ScoreAll), ("segml_tiled_streamed", Streamed), seconds, windows);

            // From the file: the CLI's two tiled paths, decode included.
            string png = Path.Combine(workload.ImageFolder, "..", $"tiled_{Width}x{Height}.png");
            if (!File.Exists(png))
            {
                SavePng(workload, png);
            }

            var predictor = new TiledMaskPredictor(segml, ImageTensorOptions.ImageNet(), options);
            long Predicted()
            {
                long sum = 0;
                predictor.Predict(png, (row, rowLabels, confidence) => sum += MaskChecksum.Sum(rowLabels));
                return sum;
            }

            var ml = new MLContext(seed: 1);
            IDataView data = ml.Data.LoadFromEnumerable(new[] { new ImagePathRow { ImagePath = png } });
            SegmentationTransforms transforms = ml.Segmentation().Transforms;
            ITransformer chain = transforms.LoadImages(options: ImageTensorOptions.ImageNet())
                .Append(transforms.ScoreOnnx(model.Path, options: new OnnxSessionOptions { Tiling = options }))
                .Append(transforms.PredictMasks(model.ClassNames))
                .Fit(data);
            IDataView scored = chain.Transform(data);
            try
            {
                MeasurePaired(output, model, ("segml_tiled_predictor", Predicted), ("segml_tiled_pipeline", () => MaskChecksum.SumPredictedMasks(scored)), seconds, windows, "vs_tiled_predictor");
            }
            finally
            {
                MaskChecksum.DisposeStages(chain);
            }
        }
    }

    /// <summary>The workload's images, [3, Height, Width], laid out as a grid of 256² tiles (reused in order).</summary>
    private static float[] Compose(ScoringWorkload workload)
    {
        var image = new float[3 * Height * Width];
        int size = workload.Width;
        int across = Width / size;
        for (int gy = 0; gy < Height / workload.Height; gy++)
        {
            for (int gx = 0; gx < across; gx++)
            {
                int source = ((gy * across) + gx) % workload.ImageCount;
                for (int c = 0; c < 3; c++)
                {
                    for (int r = 0; r < workload.Height; r++)
                    {
                        workload.Tensors.AsSpan((source * workload.ImageLength) + (((c * workload.Height) + r) * size), size)
                            .CopyTo(image.AsSpan((((c * Height) + (gy * workload.Height) + r) * Width) + (gx * size), size));
                    }
                }
            }
        }

        return image;
    }

    /// <summary>The same composite as <see cref="Compose"/>, from the workload's PNG files' pixels, saved as one PNG.</summary>
    private static void SavePng(ScoringWorkload workload, string path)
    {
        using var composite = new Image<Rgb24>(Width, Height);
        int across = Width / workload.Width;
        for (int gy = 0; gy < Height / workload.Height; gy++)
        {
            for (int gx = 0; gx < across; gx++)
            {
                using Image<Rgb24> tile = Image.Load<Rgb24>(workload.ImagePaths[((gy * across) + gx) % workload.ImageCount]);
                for (int y = 0; y < workload.Height; y++)
                {
                    for (int x = 0; x < workload.Width; x++)
                    {
                        composite[(gx * workload.Width) + x, (gy * workload.Height) + y] = tile[x, y];
                    }
                }
            }
        }

        composite.SaveAsPng(path);
    }

    private static void Copy(float[] image, int top, int left, int rows, int columns, Span<float> destination)
        => PlanarRegion.Copy(image, 3, Height, Width, top, left, rows, columns, destination);

    private static void MeasurePaired(TextWriter output, ScoringModel model, (string Name, Func<long> Run) baseline, (string Name, Func<long> Run) path, double seconds, string extra, string ratioName = "vs_raw_ort_windows")
    {
        long baselineChecksum = baseline.Run(); // warm-up: JIT, ONNX Runtime's first-run allocations, the tiler's buffers
        long checksum = path.Run();
        var baselineTimes = new List<double>();
        var times = new List<double>();
        var ratios = new List<double>();
        var total = Stopwatch.StartNew();
        while (ratios.Count < 4 || (total.Elapsed.TotalSeconds < seconds && ratios.Count < 20))
        {
            double a = 0, b = 0;
            for (int turn = 0; turn < 2; turn++)
            {
                bool pathNow = (turn == 0) == (ratios.Count % 2 == 1);
                var watch = Stopwatch.StartNew();
                long sum = pathNow ? path.Run() : baseline.Run();
                double elapsed = watch.Elapsed.TotalSeconds;
                if (pathNow)
                {
                    b = elapsed;
                    if (sum != checksum)
                    {
                        Console.Error.WriteLine($"scoring: {path.Name} on {model.Name} predicted different masks between passes");
                    }
                }
                else
                {
                    a = elapsed;
                }
            }

            baselineTimes.Add(a);
            times.Add(b);
            ratios.Add(a / b);
        }

        string Line(string name, List<double> t, string more)
        {
            t.Sort();
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"path\":\"{name}\",\"model\":\"{model.Name}\",\"image\":\"{Width}x{Height}\",\"tile\":\"{Tile}x{Tile}\",\"overlap\":0.25,\"blend\":\"gaussian\",\"tiles_per_run\":{TilesPerRun}{extra},\"runs\":{t.Count},\"ms_per_image\":{t[t.Count / 2] * 1e3:F1},\"best_ms_per_image\":{t[0] * 1e3:F1}{more},\"threads\":{Environment.ProcessorCount}}}");
        }

        ratios.Sort();
        output.WriteLine(Line(baseline.Name, baselineTimes, string.Create(CultureInfo.InvariantCulture, $",\"mask_sum\":{baselineChecksum}")));
        output.WriteLine(Line(path.Name, times, string.Create(CultureInfo.InvariantCulture,
            $",\"mask_sum\":{checksum},\"{ratioName}\":{ratios[ratios.Count / 2]:F3},\"paired_range\":[{ratios[0]:F3},{ratios[^1]:F3}],\"pairs\":{ratios.Count}")));
    }

    /// <summary>ONNX Runtime alone over the tiler's windows: copied into one pinned batch, run into one pinned output.</summary>
    private sealed class RawWindows : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly float[] _image;
        private readonly WindowGrid _grid;
        private readonly float[] _windows;
        private readonly float[] _scores;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;
        private readonly int _windowLength;
        private readonly float[] _imageScores;
        private readonly int[] _labels;
        private readonly SegmentationShape _imageShape;

        public RawWindows(ScoringModel model, float[] image, TilingOptions options)
        {
            using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _session = new InferenceSession(model.Path, sessionOptions);
            _image = image;
            _grid = WindowGrid.Create([Height, Width], options);
            _windowLength = 3 * Tile * Tile;
            _windows = new float[TilesPerRun * _windowLength];
            _scores = new float[TilesPerRun * model.Classes * Tile * Tile];

            // One input and output per batch size the grid needs (the last run may be shorter).
            int last = _grid.WindowCount % TilesPerRun;
            _inputs = new OrtValue[TilesPerRun + 1];
            _outputs = new OrtValue[TilesPerRun + 1];
            foreach (int count in last == 0 ? [TilesPerRun] : new[] { TilesPerRun, last })
            {
                _inputs[count] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _windows.AsMemory(0, count * _windowLength), [count, 3, Tile, Tile]);
                _outputs[count] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _scores.AsMemory(0, count * model.Classes * Tile * Tile), [count, model.Classes, Tile, Tile]);
            }

            _imageShape = new SegmentationShape(1, model.Classes, Height, Width);
            _imageScores = new float[_imageShape.ElementCount];
            _labels = new int[_imageShape.PixelCount];
            Run((w, window) =>
            {
                int top = _grid.AxisStarts(0)[w / _grid.AxisStarts(1).Count], left = _grid.AxisStarts(1)[w % _grid.AxisStarts(1).Count];
                for (int k = 0; k < model.Classes; k++)
                {
                    for (int r = 0; r < Tile; r++)
                    {
                        window.Slice(((k * Tile) + r) * Tile, Tile).CopyTo(_imageScores.AsSpan((((k * Height) + top + r) * Width) + left, Tile));
                    }
                }
            });
        }

        public int WindowCount => _grid.WindowCount;

        public long ScoreAll()
        {
            Run(null);
            MaskPrediction.Argmax<float>(_imageScores, _imageShape, _labels);
            return MaskChecksum.Sum(_labels);
        }

        private void Run(Action<int, ReadOnlySpan<float>>? onWindow)
        {
            string[] inputNames = [ScoringModel.InputName];
            string[] outputNames = [ScoringModel.OutputName];
            IReadOnlyList<int> rows = _grid.AxisStarts(0);
            IReadOnlyList<int> columns = _grid.AxisStarts(1);
            int perWindow = _scores.Length / TilesPerRun;
            for (int first = 0; first < _grid.WindowCount; first += TilesPerRun)
            {
                int count = Math.Min(TilesPerRun, _grid.WindowCount - first);
                for (int j = 0; j < count; j++)
                {
                    int w = first + j;
                    Copy(_image, rows[w / columns.Count], columns[w % columns.Count], Tile, Tile, _windows.AsSpan(j * _windowLength, _windowLength));
                }

                _session.Run(_runOptions, inputNames, [_inputs[count]], outputNames, [_outputs[count]]);
                for (int j = 0; onWindow is not null && j < count; j++)
                {
                    onWindow(first + j, _scores.AsSpan(j * perWindow, perWindow));
                }
            }
        }

        public void Dispose()
        {
            foreach (OrtValue? value in _inputs.Concat(_outputs))
            {
                value?.Dispose();
            }

            _runOptions.Dispose();
            _session.Dispose();
        }
    }
}
