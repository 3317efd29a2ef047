using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Metrics;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>Kernels other than losses that the quick mode also times.</summary>
internal static class ExtraKernels
{
    public static IEnumerable<(string Name, Action Run)> Create(BenchmarkWorkload workload)
    {
        float[] probabilities = new float[workload.Shape.ElementCount];
        int[] predicted = new int[workload.Shape.PixelCount];
        yield return ("softmax", () => ActivationKernels.Softmax<float>(workload.Logits, workload.Shape, probabilities));
        yield return ("argmax", () => MaskPrediction.Argmax<float>(workload.Logits, workload.Shape, predicted));
        yield return ("argmax_confusion", () => ArgmaxConfusion(workload, predicted));
    }

    /// <summary>Logits → predicted mask → confusion matrix, the evaluation path of a batch.</summary>
    public static long ArgmaxConfusion(BenchmarkWorkload workload, int[] predicted)
    {
        MaskPrediction.Argmax<float>(workload.Logits, workload.Shape, predicted);
        var matrix = new ConfusionMatrix(workload.Shape.Classes, ignoreIndex: 255);
        matrix.Add(predicted, workload.Labels, workload.Shape);
        return matrix.Total;
    }
}
