using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --tiers</c>: the quick mode (each line with its SIMD tier) under the default tier, <c>DOTNET_EnableAVX512=0</c> and <c>DOTNET_EnableAVX2=0</c>.
/// <c>dotnet run -c Release -- --quick</c>: one JSON line per kernel in under a minute.
/// <c>dotnet run -c Release -- --quick-scoring</c>: one JSON line per scoring path (raw ONNX Runtime, SegML, stock ML.NET).
/// <c>dotnet run -c Release -- --memory N</c>: peak resident memory of evaluating N generated 512×512 images (one process per N).
/// Anything else goes to BenchmarkDotNet, e.g. <c>dotnet run -c Release -- --filter *LossBenchmarks*</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--tiers"))
        {
            return TierRuns.Run(Console.Out);
        }

        if (args.Contains("--quick"))
        {
            QuickBenchmark.Run(Console.Out);
            return 0;
        }

        if (args.Contains("--quick-scoring"))
        {
            Scoring.QuickScoring.Run(Console.Out);
            return 0;
        }

        int memory = Array.IndexOf(args, "--memory");
        if (memory >= 0)
        {
            int count = memory + 1 < args.Length ? int.Parse(args[memory + 1], System.Globalization.CultureInfo.InvariantCulture) : 200;
            return MemoryBenchmark.Run(count, Console.Out);
        }

        var config = DefaultConfig.Instance.AddColumn(new MegapixelsColumn(8 * 256 * 256));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
