using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>--compare-with DIR</c>: times this build's loss kernels against another build of this benchmark project (its
/// <c>bin/Release/net10.0</c> folder, e.g. a worktree of an earlier commit) in ONE process, each call of one build
/// followed by the same call of the other, so the drift of a shared or throttled machine hits both alike. Prints one
/// JSON line per kernel (the order within a pair alternates): both builds' median Mpixel/s and the median of the per-pair speed ratios (this ÷ other), and
/// both values (equal values: the same loss). The other build is loaded in its own <see cref="AssemblyLoadContext"/>
/// with its own copy of the library.
/// </summary>
internal static class BuildComparison
{
    public static int Run(TextWriter output, string otherDirectory, IReadOnlyCollection<string>? only, int pairs)
    {
        otherDirectory = Path.GetFullPath(otherDirectory);
        string otherAssembly = Path.Combine(otherDirectory, typeof(BuildComparison).Assembly.GetName().Name + ".dll");
        if (!File.Exists(otherAssembly))
        {
            output.WriteLine($"--compare-with: {otherAssembly} does not exist; build the other commit's benchmark project with -c Release first.");
            return 1;
        }

        var workload = new BenchmarkWorkload();
        Func<string, double> other = LoadWorkload(otherDirectory, otherAssembly);
        IEnumerable<string> names = only ?? BenchmarkWorkload.Losses.Keys;
        foreach (string name in names)
        {
            if (!BenchmarkWorkload.Losses.ContainsKey(name))
            {
                output.WriteLine($"--compare-with times the losses only; '{name}' is not one of {string.Join(", ", BenchmarkWorkload.Losses.Keys)}.");
                return 1;
            }

            // Tiered JIT: both builds' kernels at the tier a long-running application ends up with (JitWarmUp).
            JitWarmUp.UntilSteady([() => workload.ForwardBackward(name), () => other(name)]);
            var mine = new List<double>();
            var theirs = new List<double>();
            var ratios = new List<double>();
            double mineValue = 0, otherValue = 0;
            for (int i = 0; i < pairs; i++)
            {
                // The order alternates (AB, BA, ...): the second call of a pair finds the caches the first one left.
                double a = 0, b = 0;
                for (int turn = 0; turn < 2; turn++)
                {
                    bool mineNow = (turn == 0) == (i % 2 == 0);
                    var watch = Stopwatch.StartNew();
                    if (mineNow)
                    {
                        mineValue = workload.ForwardBackward(name);
                        a = watch.Elapsed.TotalMilliseconds;
                    }
                    else
                    {
                        otherValue = other(name);
                        b = watch.Elapsed.TotalMilliseconds;
                    }
                }

                mine.Add(a);
                theirs.Add(b);
                ratios.Add(b / a);
            }

            SegmentationShape shape = workload.ShapeOf(name);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"kernel\":\"{name}\",\"pairs\":{pairs},\"mpixel_per_s\":{shape.PixelCount / Median(mine) / 1e3:F2},\"other_mpixel_per_s\":{shape.PixelCount / Median(theirs) / 1e3:F2},\"speedup\":{Median(ratios):F2},\"value\":{mineValue:G9},\"other_value\":{otherValue:G9},\"simd\":\"{SimdTier.Of(name)}\",\"threads\":{Environment.ProcessorCount}}}"));
        }

        return 0;
    }

    private static Func<string, double> LoadWorkload(string directory, string assemblyPath)
    {
        var context = new DirectoryLoadContext(directory);
        Assembly assembly = context.LoadFromAssemblyPath(assemblyPath);
        Type type = assembly.GetType(typeof(BenchmarkWorkload).FullName!)
            ?? throw new InvalidOperationException($"{assemblyPath} has no {typeof(BenchmarkWorkload).FullName}.");
        object instance = Activator.CreateInstance(type, 8, 21, 256, 256, 1234)!;
        MethodInfo method = type.GetMethod(nameof(BenchmarkWorkload.ForwardBackward))
            ?? throw new InvalidOperationException($"{type} has no {nameof(BenchmarkWorkload.ForwardBackward)}.");
        return method.CreateDelegate<Func<string, double>>(instance);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Resolves the SegML assemblies (and the tensor primitives they were built against) from the other build's folder.</summary>
    private sealed class DirectoryLoadContext(string directory) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(directory, name.Name + ".dll");
            bool own = name.Name!.StartsWith("Microsoft.ML.Segmentation", StringComparison.Ordinal) || name.Name == "System.Numerics.Tensors";
            return own && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
