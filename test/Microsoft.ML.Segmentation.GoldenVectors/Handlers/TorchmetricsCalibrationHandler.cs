using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// torchmetrics <c>binary_calibration_error</c> and <c>multiclass_calibration_error</c> through
/// <see cref="Torchmetrics.BinaryCalibrationError"/> and <see cref="Torchmetrics.MulticlassCalibrationError"/>; float64
/// inputs use the double overload (edges in float64, as torchmetrics builds them in the scores' dtype).
/// </summary>
internal sealed class TorchmetricsCalibrationHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file)
        => file.IsLibrary("torchmetrics") && file.Callable.Contains("calibration_error", StringComparison.Ordinal);

    public GoldenOutcome Run(GoldenCase testCase)
    {
        string function = MetricCaseInputs.CallName(testCase.Api);
        GoldenTensor preds = MetricCaseInputs.Tensor(testCase, "preds");
        int[] target = MetricCaseInputs.Labels(MetricCaseInputs.Tensor(testCase, "target"));
        int nBins = (int)testCase.Number("n_bins", 15);
        string norm = testCase.Text("norm") ?? "l1";
        int? ignore = testCase.NumberOrNull("ignore_index") is double i ? (int)i : null;
        bool float64 = testCase.Inputs["preds"]?["dtype"]?.GetValue<string>() == "float64";
        (TorchmetricsCalibrationError metric, SegmentationShape shape) = function switch
        {
            "binary_calibration_error" => (Torchmetrics.BinaryCalibrationError(nBins, norm, ignore), new SegmentationShape(1, 1, 1, preds.Data.Length)),
            "multiclass_calibration_error" => (Torchmetrics.MulticlassCalibrationError((int)testCase.Number("num_classes", preds.Shape[1]), nBins, norm, ignore), MetricCaseInputs.Nchw(preds)),
            _ => throw new NotSupportedException($"torchmetrics function '{function}' is not mapped"),
        };
        double value = float64
            ? metric.Compute(preds.Data, target, shape)
            : metric.Compute(preds.Data.Select(v => (float)v).ToArray(), target, shape);
        return GoldenOutcome.Compare(testCase, value);
    }
}
