using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>Reads MONAI's y_pred and y ([B,C,spatial…] binarized masks, or [B,1,…] index maps) as per-item multilabel counts.</summary>
internal static class MonaiInputs
{
    /// <summary>Per-item counts with every channel; single-channel index maps are one-hot encoded against num_classes (or the other tensor's channels), as MONAI does.</summary>
    public static ConfusionCounts[] Counts(GoldenCase testCase, int? numClasses = null)
    {
        GoldenTensor pred = MetricCaseInputs.Tensor(testCase, "y_pred");
        GoldenTensor truth = MetricCaseInputs.Tensor(testCase, "y");
        SegmentationShape predShape = MetricCaseInputs.Nchw(pred);
        SegmentationShape truthShape = MetricCaseInputs.Nchw(truth);
        if (predShape.Batch != truthShape.Batch || predShape.PixelsPerImage != truthShape.PixelsPerImage)
        {
            throw new InvalidDataException($"y_pred [{string.Join(",", pred.Shape)}] and y [{string.Join(",", truth.Shape)}] differ in batch or spatial size.");
        }

        int classes = numClasses ?? Math.Max(predShape.Classes, truthShape.Classes);
        double[] p = predShape.Classes == 1 && classes > 1 ? MetricCaseInputs.OneHot(pred.Data, predShape, classes) : pred.Data;
        double[] y = truthShape.Classes == 1 && classes > 1 ? MetricCaseInputs.OneHot(truth.Data, truthShape, classes) : truth.Data;
        SegmentationShape shape = predShape.WithClasses(classes);
        if (p.Length != shape.ElementCount || y.Length != shape.ElementCount)
        {
            throw new InvalidDataException($"y_pred [{string.Join(",", pred.Shape)}] and y [{string.Join(",", truth.Shape)}] do not describe {classes} classes.");
        }

        return ConfusionCounts.FromMasks<double>(p, y, shape);
    }
}
