using System;
using System.Threading.Tasks;

namespace Microsoft.ML.Segmentation.Kernels;

/// <summary>
/// Runs independent work items on the thread pool when there is enough work to pay for it.
/// Each item writes its own outputs, so results do not depend on scheduling.
/// </summary>
internal static class ParallelWork
{
    /// <summary>Below this many elements in total, kernels stay on the calling thread.</summary>
    public const int MinimumParallelElements = 1 << 16;

    /// <summary>Calls <paramref name="body"/> for each item in <c>[0, count)</c>, in parallel when <paramref name="totalElements"/> is large.</summary>
    public static void For(int count, long totalElements, Action<int> body)
    {
        if (count <= 1 || totalElements < MinimumParallelElements || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, body);
    }
}
