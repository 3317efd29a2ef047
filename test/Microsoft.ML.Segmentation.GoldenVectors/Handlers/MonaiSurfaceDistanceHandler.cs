using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// MONAI <c>HausdorffDistanceMetric</c>, <c>SurfaceDistanceMetric</c> and <c>SurfaceDiceMetric</c>/<c>compute_surface_dice</c>
/// through the <see cref="Monai"/> presets: each (item, channel) of [B,C,spatial…] masks is scored by
/// <see cref="MonaiBoundaryMetric.Score"/> and the grid reduced by <see cref="MonaiBoundaryMetric.Reduce"/>. Inputs are tensors with data, numpy generator programs (with a trailing one-hot step), or MONAI's
/// <c>create_spherical_seg_3d</c> volumes repeated to B×C as the case's batching text says. With <c>aggregate</c> in the
/// batching text the [B,C] grid is reduced as MONAI's <c>reduction</c>; otherwise it is returned as is (functional form).
/// </summary>
internal sealed partial class MonaiSurfaceDistanceHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("MONAI") && (file.Callable.Contains("HausdorffDistanceMetric", StringComparison.Ordinal)
            || file.Callable.Contains("SurfaceDistanceMetric", StringComparison.Ordinal) || file.Callable.Contains("SurfaceDiceMetric", StringComparison.Ordinal));

    public GoldenOutcome Run(GoldenCase testCase)
    {
        JsonObject p = MetricCaseInputs.Parameters(testCase);
        string callable = testCase.File.Callable;
        bool includeBackground = MetricCaseInputs.Bool(p, "include_background", false);
        string distance = MetricCaseInputs.Text(p, "distance_metric") ?? "euclidean";
        string batching = GoldenValues.String(testCase.Inputs["batching"]) ?? string.Empty;

        // Without aggregate the case checks the functional form: the [B,C] grid itself.
        string reduction = batching.Contains("aggregate", StringComparison.Ordinal) ? MetricCaseInputs.Text(p, "reduction") ?? "mean" : "none";
        MonaiBoundaryMetric metric = callable.Contains("Hausdorff", StringComparison.Ordinal)
            ? Monai.HausdorffDistanceMetric(includeBackground, distance, MetricCaseInputs.Number(p, "percentile"), MetricCaseInputs.Bool(p, "directed", false), reduction)
            : callable.Contains("SurfaceDice", StringComparison.Ordinal)
                ? Monai.SurfaceDiceMetric(p["class_thresholds"] is JsonArray t ? t.Select(GoldenValues.Number).ToArray() : [], includeBackground, distance, reduction,
                    useSubvoxels: MetricCaseInputs.Bool(p, "use_subvoxels", false))
                : Monai.SurfaceDistanceMetric(includeBackground, MetricCaseInputs.Bool(p, "symmetric", false), distance, reduction);

        string predName = testCase.HasInput("y_pred") ? "y_pred" : "predictions";
        string truthName = testCase.HasInput("y") ? "y" : "labels";
        Volumes pred = Read(testCase, predName);
        Volumes truth = Read(testCase, truthName);
        if (!pred.Spatial.SequenceEqual(truth.Spatial) || pred.Batch != truth.Batch || pred.Channels != truth.Channels)
        {
            return GoldenOutcome.Failed("prediction and truth differ in shape");
        }

        // Items may share one volume (repeated test spheres): score each distinct pair once.
        int first = metric.FirstChannel(pred.Channels);
        int channels = pred.Channels - first;
        var grid = new double[pred.Batch * channels];
        var memo = new Dictionary<(byte[], byte[], int, double[]?), double>();
        double[]?[] spacings = Enumerable.Range(0, pred.Batch).Select(b => Spacing(p["spacing"], pred.Spatial.Length, b)).ToArray();
        for (int b = 0; b < pred.Batch; b++)
        {
            // One spacing for all items is one array, so repeated volumes hit the memo.
            double[]? spacing = b > 0 && spacings[b] is { } sb && spacings[0] is { } s0 && sb.SequenceEqual(s0) ? s0 : spacings[b];
            for (int c = 0; c < channels; c++)
            {
                byte[] x = pred.Get(b, c + first), y = truth.Get(b, c + first);
                if (!memo.TryGetValue((x, y, c, spacing), out double value))
                {
                    value = metric.Score(x, y, pred.Spatial, c, spacing);
                    memo[(x, y, c, spacing)] = value;
                }

                grid[(b * channels) + c] = value;
            }
        }

        return GoldenOutcome.Compare(testCase, metric.Reduce(grid, pred.Batch, channels));
    }

    private static double[]? Spacing(JsonNode? node, int rank, int item)
    {
        if (GoldenValues.IsNull(node))
        {
            return null;
        }

        if (node is JsonArray a && a.Count > 0 && a[0] is JsonArray)
        {
            return Spacing(a[item], rank, item);
        }

        return node is JsonArray values ? values.Select(GoldenValues.Number).ToArray() : Enumerable.Repeat(GoldenValues.Number(node), rank).ToArray();
    }

    /// <summary>[B,C,spatial…] binary volumes; items may share one array when the case repeats one volume.</summary>
    private sealed record Volumes(int Batch, int Channels, int[] Spatial, Func<int, int, byte[]> Get);

    private static Volumes Read(GoldenCase testCase, string name)
    {
        JsonObject input = testCase.Inputs[name] as JsonObject ?? throw new InvalidDataException($"The case has no input '{name}'.");
        JsonNode? generator = input["generator"];
        if (generator is not null && input["data"] is null)
        {
            string batching = GoldenValues.String(testCase.Inputs["batching"]) ?? string.Empty;
            Match bc = BatchRegex().Match(batching);
            int batch = bc.Success ? int.Parse(bc.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
            int channels = bc.Success ? int.Parse(bc.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
            if (generator is JsonObject call && call["create_spherical_seg_3d"] is JsonObject args)
            {
                byte[] sphere = Sphere(args, ShapeSingle(input, args));
                return new Volumes(batch, channels, ShapeSingle(input, args), (_, _) => sphere);
            }

            if (GoldenValues.String(generator) is string text && text.Trim() == "zeros")
            {
                int[] shape = ShapeSingle(input, null);
                byte[] zeros = new byte[shape.Aggregate(1, (x, y) => x * y)];
                return new Volumes(batch, channels, shape, (_, _) => zeros);
            }

            if (GoldenValues.String(generator) is string program)
            {
                return FromTensor(Program(program, name));
            }
        }

        return FromTensor(MetricCaseInputs.Tensor(testCase, name));
    }

    private static Volumes FromTensor(GoldenTensor t)
    {
        int batch = t.Shape[0], channels = t.Shape[1];
        int[] spatial = t.Shape[2..];
        int size = spatial.Aggregate(1, (x, y) => x * y);
        return new Volumes(batch, channels, spatial, (b, c) =>
        {
            var mask = new byte[size];
            int offset = ((b * channels) + c) * size;
            for (int i = 0; i < size; i++)
            {
                mask[i] = t.Data[offset + i] != 0 ? (byte)1 : (byte)0;
            }

            return mask;
        });
    }

    /// <summary>A numpy program whose first statement is an unnamed constructor and whose last may be <c>one_hot(num_classes=K).permute(0,3,1,2)</c>.</summary>
    private static GoldenTensor Program(string program, string name)
    {
        var statements = program.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        int? classes = null;
        var kept = new List<string>();
        foreach (string s in statements)
        {
            Match oneHot = OneHotRegex().Match(s);
            if (oneHot.Success)
            {
                classes = int.Parse(oneHot.Groups[1].Value, CultureInfo.InvariantCulture);
                continue;
            }

            kept.Add(kept.Count == 0 && !s.Contains('=', StringComparison.Ordinal) ? $"{name} = {s}" : s);
        }

        GoldenTensor labels = NumpyProgram.Run(string.Join("; ", kept))[name];
        if (classes is not int k)
        {
            return labels;
        }

        // [B,spatial…] labels → [B,K,spatial…] one-hot (the permute moves the class axis to position 1).
        int batch = labels.Shape[0], size = labels.Data.Length / batch;
        var data = new double[batch * k * size];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < size; i++)
            {
                data[(((b * k) + (int)labels.Data[(b * size) + i]) * size) + i] = 1;
            }
        }

        return new GoldenTensor(name, [batch, k, .. labels.Shape[1..]], data, "one-hot");
    }

    private static int[] ShapeSingle(JsonObject input, JsonObject? args)
        => input["shape_single"] is JsonArray s ? s.Select(v => (int)GoldenValues.Number(v)).ToArray()
            : args?["im_shape"] is JsonArray a ? a.Select(v => (int)GoldenValues.Number(v)).ToArray() : [99, 99, 99];

    /// <summary>MONAI's test volume: 1 where Σ (index·spacing − centre)² ≤ radius² (dims 0,1,2 paired with spacing and centre).</summary>
    private static byte[] Sphere(JsonObject args, int[] shape)
    {
        double radius = args["radius"] is JsonNode r ? GoldenValues.Number(r) : 20;
        double[] centre = args["centre"] is JsonArray c ? c.Select(GoldenValues.Number).ToArray() : [49, 49, 49];
        double[] spacing = args["im_spacing"] is JsonArray s ? s.Select(GoldenValues.Number).ToArray() : [1, 1, 1];
        var volume = new byte[shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < shape[0]; i++)
        {
            double dy = (i * spacing[0]) - centre[0];
            for (int j = 0; j < shape[1]; j++)
            {
                double dx = (j * spacing[1]) - centre[1];
                for (int k = 0; k < shape[2]; k++)
                {
                    double dz = (k * spacing[2]) - centre[2];
                    volume[(((i * shape[1]) + j) * shape[2]) + k] = (dx * dx) + (dy * dy) + (dz * dz) <= radius * radius ? (byte)1 : (byte)0;
                }
            }
        }

        return volume;
    }

    [GeneratedRegex(@"B=(\d+),\s*C=(\d+)")]
    private static partial Regex BatchRegex();

    [GeneratedRegex(@"^one_hot\(\s*num_classes\s*=\s*(\d+)\s*\)")]
    private static partial Regex OneHotRegex();
}
