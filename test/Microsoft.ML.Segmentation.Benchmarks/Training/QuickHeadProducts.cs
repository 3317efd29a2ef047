using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Segmentation.Tests.Training;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Benchmarks.Training;

/// <summary>
/// <c>--quick-head-products</c>: the head's two products that depend on its class count, one image at a time as
/// training runs them — the forward product (classes × 448 weights by the 448 feature rows) and the weight gradient
/// (classes × pixels by 448 × pixels, transposed) — with the blocked kernels (what the library runs) and the plain
/// loops (<see cref="LoopHeadMatrixKernels"/>), alternating in one process. Pixels 1024 (a 128² image at stride 4)
/// and 16384 (512²: the features no longer fit the caches). After the tiered JIT has finished with every path
/// (<see cref="JitWarmUp"/>), one JSON line per shape: the best of <c>--repeats</c> (default 15) per kernel, in ms.
/// </summary>
public static class QuickHeadProducts
{
    private const int FeatureChannels = 448;

    public static int Run(string[] args, TextWriter output)
    {
        int repeats = int.Parse(Option(args, "--repeats") ?? "15", CultureInfo.InvariantCulture);
        var random = new Random(1);
        foreach (int pixels in new[] { 1024, 16384 })
        {
            float[] input = Values(random, FeatureChannels * pixels);
            foreach (int classes in Option(args, "--classes")?.Split(",").Select(c => int.Parse(c, CultureInfo.InvariantCulture)) ?? [1, 2, 4, 8, 21, 32])
            {
                float[] weights = Values(random, classes * FeatureChannels);
                float[] bias = new float[classes];
                float[] output1 = new float[classes * pixels];
                double[] dW = new double[classes * FeatureChannels], dB = new double[classes];
                HeadMatrixKernels loops = LoopHeadMatrixKernels.Instance, blocked = HeadMatrixKernels.Blocked;
                double loopsDense = double.MaxValue, blockedDense = double.MaxValue, loopsGradient = double.MaxValue, blockedGradient = double.MaxValue;
                Action[] actions =
                [
                    () => loops.Dense<float>(weights, bias, classes, FeatureChannels, input, output1, pixels),
                    () => blocked.Dense<float>(weights, bias, classes, FeatureChannels, input, output1, pixels),
                    () => loops.WeightGradient<float>(output1, classes, input, FeatureChannels, pixels, dW, dB),
                    () => blocked.WeightGradient<float>(output1, classes, input, FeatureChannels, pixels, dW, dB),
                ];
                // Tiered JIT done with every path first (a product is a few calls per image, too few to tier up here).
                JitWarmUp.UntilSteady(actions);
                for (int r = 0; r < repeats; r++)
                {
                    // Taking turns, the best time of each.
                    Keep(ref loopsDense, Time(actions[0]));
                    Keep(ref blockedDense, Time(actions[1]));
                    Keep(ref loopsGradient, Time(actions[2]));
                    Keep(ref blockedGradient, Time(actions[3]));
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"products\":\"head\",\"classes\":{classes},\"channels\":{FeatureChannels},\"pixels\":{pixels},\"dense_ms\":{{\"blocked\":{blockedDense:F3},\"loops\":{loopsDense:F3}}},\"weight_gradient_ms\":{{\"blocked\":{blockedGradient:F3},\"loops\":{loopsGradient:F3}}},\"dense_speedup\":{loopsDense / blockedDense:F2},\"weight_gradient_speedup\":{loopsGradient / blockedGradient:F2},\"threads\":{Environment.ProcessorCount}}}"));
            }
        }

        return 0;
    }

    private static void Keep(ref double best, double milliseconds) => best = Math.Min(best, milliseconds);

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.NextDouble() - 0.5f;
        }

        return values;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
