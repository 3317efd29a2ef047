using System.Text.Json.Nodes;
using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// torchmetrics <c>functional.segmentation.utils</c>: <c>distance_transform</c> (Euclidean with spacing, taxicab,
/// chessboard) through <see cref="DistanceTransform"/>, and <c>surface_distance(preds, target)</c> = the transform of
/// ¬target sampled at the true pixels of preds (the inputs already are edge masks). Upstream asserts the transform equals
/// SciPy's, so a case without its own expected value is compared with its SciPy reference. <c>binary_erosion</c> with an
/// arbitrary structuring element is not part of the library.
/// </summary>
internal sealed class TorchmetricsSegmentationUtilsHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("torchmetrics") && file.Callable.Contains("segmentation.utils", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        string call = MetricCaseInputs.CallName(testCase.Api);
        Dictionary<string, JsonNode?> args = MetricCaseInputs.ApiArguments(testCase.Api);
        string metricName = GoldenValues.String(args.GetValueOrDefault("metric") ?? args.GetValueOrDefault("distance_metric")) ?? "euclidean";
        DistanceMetric? metric = metricName switch
        {
            "euclidean" => DistanceMetric.Euclidean,
            "taxicab" => DistanceMetric.Taxicab,
            "chessboard" => DistanceMetric.Chessboard,
            _ => null,
        };
        if (metric is not DistanceMetric m)
        {
            return GoldenOutcome.Unsupported($"distance metric '{metricName}' is not mapped");
        }

        double[] spacing = args.GetValueOrDefault("spacing") is JsonArray s ? s.Select(GoldenValues.Number).ToArray()
            : args.GetValueOrDefault("sampling") is JsonArray t ? t.Select(GoldenValues.Number).ToArray() : [];
        switch (call)
        {
            case "distance_transform":
            {
                GoldenTensor x = MetricCaseInputs.Tensor(testCase, "x");
                var distances = new double[x.Data.Length];
                DistanceTransform.Compute(Bytes(x.Data), x.Shape, spacing, m, distances);
                return Compare(testCase, distances);
            }

            case "surface_distance":
            {
                GoldenTensor preds = MetricCaseInputs.Tensor(testCase, "preds");
                GoldenTensor target = MetricCaseInputs.Tensor(testCase, "target");
                byte[] notTarget = target.Data.Select(v => v != 0 ? (byte)0 : (byte)1).ToArray();
                var distances = new double[notTarget.Length];
                DistanceTransform.Compute(notTarget, target.Shape, spacing, m, distances);
                double[] sampled = distances.Where((_, i) => preds.Data[i] != 0).ToArray();
                return Compare(testCase, sampled);
            }

            case "binary_erosion":
                return Erosion(testCase);

            default:
                return GoldenOutcome.Unsupported($"'{call}' is not mapped");
        }
    }

    /// <summary><c>binary_erosion(image, structure=…, border_value=…)</c> over the last two axes of every leading slice; the default element is the 3×3 cross.</summary>
    private static GoldenOutcome Erosion(GoldenCase testCase)
    {
        GoldenTensor image = MetricCaseInputs.Tensor(testCase, "image");
        (byte[] structure, int sh, int sw) = Structure(testCase.Api);
        int h = image.Dim(-2), w = image.Dim(-1), plane = h * w;
        byte border = MetricCaseInputs.ApiArguments(testCase.Api).GetValueOrDefault("border_value") is JsonNode b && GoldenValues.Number(b) != 0 ? (byte)1 : (byte)0;
        byte[] bytes = Bytes(image.Data);
        var result = new double[bytes.Length];
        var eroded = new byte[plane];
        for (int start = 0; start < bytes.Length; start += plane)
        {
            Metrics.Morphology.BinaryErosion(bytes.AsSpan(start, plane), h, w, structure, sh, sw, eroded, border);
            for (int i = 0; i < plane; i++)
            {
                result[start + i] = eroded[i];
            }
        }

        return GoldenOutcome.Compare(testCase, result);
    }

    /// <summary>The structuring element written in the call: <c>ones(a, b)</c>, a nested list, or (absent) the 3×3 cross.</summary>
    private static (byte[] Values, int Height, int Width) Structure(string api)
    {
        System.Text.RegularExpressions.Match ones = System.Text.RegularExpressions.Regex.Match(api, @"structure\s*=\s*(?:torch\.|np\.)?ones\(\s*\(?\s*(\d+)\s*,\s*(\d+)");
        if (ones.Success)
        {
            int a = int.Parse(ones.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int b = int.Parse(ones.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            return (Enumerable.Repeat((byte)1, a * b).ToArray(), a, b);
        }

        if (MetricCaseInputs.ApiArguments(api).GetValueOrDefault("structure") is JsonArray rows)
        {
            byte[] values = Bytes(GoldenValues.Flatten(rows));
            int height = rows.Count;
            return (values, height, values.Length / height);
        }

        return (new byte[] { 0, 1, 0, 1, 1, 1, 0, 1, 0 }, 3, 3);
    }

    private static GoldenOutcome Compare(GoldenCase testCase, double[] actual)
        => GoldenValues.IsNull(testCase.Expected) && testCase.Node["expected_reference_scipy"] is JsonNode scipy
            ? GoldenOutcome.Compare(scipy, testCase.Tolerance, actual)
            : GoldenOutcome.Compare(testCase, actual);

    private static byte[] Bytes(double[] data) => data.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
}
