using Microsoft.ML.Segmentation.Kernels;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>Kernels other than losses that the quick mode also times.</summary>
internal static class ExtraKernels
{
    public static IEnumerable<(string Name, Action Run)> Create(BenchmarkWorkload workload)
    {
        float[] probabilities = new float[workload.Shape.ElementCount];
        yield return ("softmax", () => ActivationKernels.Softmax<float>(workload.Logits, workload.Shape, probabilities));
    }
}
