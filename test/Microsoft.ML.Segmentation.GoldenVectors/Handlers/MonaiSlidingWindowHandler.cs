using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.GoldenVectors.Handlers.SlidingWindow;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>sliding_window_inference</c> through <see cref="SlidingWindowInference"/>, with the predictors built as
/// tiny ONNX models run by ONNX Runtime (the stateful call counter is a C# predictor: a model has no state), plus the
/// helper-level cases of <c>compute_importance_map</c> (<see cref="ImportanceMap"/>) and
/// <c>_get_scan_interval</c>/<c>dense_patch_slices</c> (<see cref="WindowGrid"/>).
/// </summary>
internal sealed class MonaiSlidingWindowHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && file.Callable.Contains("sliding_window_inference", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        if (testCase.Params["patch_size"] is not null)
        {
            return ImportanceMapCase(testCase);
        }

        if (testCase.Params["image_size"] is not null)
        {
            return GridCase(testCase);
        }

        return InferenceCase(testCase);
    }

    private static GoldenOutcome ImportanceMapCase(GoldenCase testCase)
    {
        int[] size = Ints(testCase.Params["patch_size"]);
        float[] map = ImportanceMap.Create(size, Blend(testCase), Doubles(testCase.Params["sigma_scale"]) ?? [0.125]);
        return GoldenOutcome.Compare(testCase, map.Select(v => (double)v).ToArray());
    }

    private static GoldenOutcome GridCase(GoldenCase testCase)
    {
        int[] image = Ints(testCase.Params["image_size"]);
        int[] roi = Tile(testCase.Params["roi_size"], image.Length);
        double[] overlap = PerAxis(Doubles(testCase.Params["overlap"]) ?? [0.25], image.Length);
        WindowGrid grid = WindowGrid.Create(image, roi, overlap);
        var actual = new List<double>(grid.Interval.Select(i => (double)i));
        var start = new int[grid.Rank];
        for (int w = 0; w < grid.WindowCount; w++)
        {
            grid.GetStart(w, start);
            actual.AddRange(start.Select(s => (double)s));
        }

        actual.Add(grid.WindowCount);
        JsonObject expected = testCase.Expected as JsonObject ?? throw new InvalidDataException("dense_patch_slices cases expect {scan_interval, window_starts, num_windows}.");
        var flat = new JsonArray(expected["scan_interval"]?.DeepClone(), expected["window_starts"]?.DeepClone(), expected["num_windows"]?.DeepClone());
        return GoldenOutcome.Compare(flat, testCase.Tolerance, actual.ToArray());
    }

    private static GoldenOutcome InferenceCase(GoldenCase testCase)
    {
        string padding = testCase.Text("padding_mode") ?? "constant";
        if (padding != "constant")
        {
            return GoldenOutcome.Unsupported($"padding_mode '{padding}': only constant padding (TilingOptions.PaddingValue) is implemented");
        }

        (int[] shape, float[] input) = SlidingWindowValues.Input(testCase.Inputs["inputs"]);
        int rank = shape.Length - 2;
        var options = new TilingOptions
        {
            TileSize = Tile(testCase.Params["roi_size"], rank),
            Overlap = Doubles(testCase.Params["overlap"]) ?? [0.25],
            Blend = Blend(testCase),
            SigmaScale = Doubles(testCase.Params["sigma_scale"]) ?? [0.125],
            TilesPerRun = (int)testCase.Number("sw_batch_size", 1),
            PaddingValue = (float)testCase.Number("cval", 0),
        };

        string predictorName = GoldenValues.String(testCase.Node["predictor"]) ?? throw new InvalidDataException("The case names no predictor.");
        IReadOnlyList<FloatTensor> outputs;
        byte[]? model = SlidingWindowModels.For(predictorName, shape[1]);
        if (model is not null)
        {
            using var onnx = new OnnxWindowPredictor(model);
            outputs = SlidingWindowInference.Run(input, shape, options, onnx.Predict);
        }
        else if (predictorName == "stateful_x_plus_call_index")
        {
            outputs = SlidingWindowInference.Run(input, shape, options, CallCounter());
        }
        else
        {
            return GoldenOutcome.Unsupported($"predictor '{predictorName}' is not one the runner builds");
        }

        JsonNode? expected = testCase.Expected;
        JsonNode?[] expectations = expected is JsonArray list && list.All(e => e is JsonObject) ? list.ToArray() : [expected];
        if (expectations.Length != outputs.Count)
        {
            return GoldenOutcome.Failed($"expected {expectations.Length} outputs, the predictor gave {outputs.Count}");
        }

        bool halfResult = testCase.Node["tolerance"] is JsonObject t && GoldenValues.String(t["compare"]) == "max|inputs - 0.5*result|";
        var messages = new List<string>();
        for (int o = 0; o < outputs.Count; o++)
        {
            double[] actual = outputs[o].Values.ToArray().Select(v => (double)v).ToArray();
            GoldenOutcome outcome = halfResult
                ? SlidingWindowValues.Compare($"0.5·output {o} {outputs[o]} vs inputs", input.Select(v => (double)v).ToArray(), actual.Select(v => 0.5 * v).ToArray(), testCase.Tolerance)
                : SlidingWindowValues.Compare($"output {o} {outputs[o]}", SlidingWindowValues.Expected(expectations[o], shape, input), actual, testCase.Tolerance);
            if (outcome.Status != GoldenStatus.Passed)
            {
                return outcome;
            }

            messages.Add(outcome.Message);
        }

        // Where the file also records what MONAI 1.5.0 itself computed (upstream's expected values are rounded by hand),
        // the result must match that too, at the file's tighter tolerance.
        if (testCase.Node["peer_code_value"] is JsonNode peer && outputs.Count == 1)
        {
            double[] actual = outputs[0].Values.ToArray().Select(v => (double)v).ToArray();
            GoldenOutcome outcome = SlidingWindowValues.Compare("vs MONAI's own output", GoldenValues.Flatten(peer), actual, testCase.File.Tolerance);
            if (outcome.Status != GoldenStatus.Passed)
            {
                return outcome;
            }

            messages.Add(outcome.Message);
        }

        return new GoldenOutcome(GoldenStatus.Passed, string.Join("; ", messages));
    }

    /// <summary>MONAI's test predictor _Pred: the k-th call returns x + (k + 1).</summary>
    private static WindowPredictor CallCounter()
    {
        int calls = 0;
        return (windows, shape) =>
        {
            calls++;
            float add = calls + 1;
            float[] values = windows.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += add;
            }

            return [new FloatTensor(values, shape.ToArray())];
        };
    }

    private static TileBlend Blend(GoldenCase testCase) => (testCase.Text("mode") ?? "constant") switch
    {
        "constant" => TileBlend.Constant,
        "gaussian" => TileBlend.Gaussian,
        string other => throw new NotSupportedException($"blend mode '{other}'"),
    };

    /// <summary>roi_size: a number (every axis) or a list; null and values ≤ 0 mean the image's size (TileSize 0).</summary>
    private static int[] Tile(JsonNode? node, int rank)
    {
        if (node is JsonArray list)
        {
            return list.Select(v => GoldenValues.IsNull(v) ? 0 : Math.Max((int)GoldenValues.Number(v), 0)).ToArray();
        }

        int value = GoldenValues.IsNull(node) ? 0 : Math.Max((int)GoldenValues.Number(node), 0);
        return Enumerable.Repeat(value, rank).ToArray();
    }

    private static double[]? Doubles(JsonNode? node)
        => GoldenValues.IsNull(node) ? null : node is JsonArray ? GoldenValues.Flatten(node) : [GoldenValues.Number(node)];

    private static double[] PerAxis(double[] values, int rank) => values.Length == 1 ? Enumerable.Repeat(values[0], rank).ToArray() : values;

    private static int[] Ints(JsonNode? node) => GoldenValues.Flatten(node).Select(v => (int)v).ToArray();
}
