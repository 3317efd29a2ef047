using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Microsoft.ML.Segmentation.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --tiers</c>: the quick mode (each line with its SIMD tier) under the default tier, <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> (which turns FMA off too) and 128-bit vectors with FMA (<c>DOTNET_EnableAVX512=0 DOTNET_PreferredVectorBitWidth=128</c>, the stand-in for ARM64 NEON).
/// <c>dotnet run -c Release -- --quick</c>: one JSON line per kernel in under a minute (<c>--kernels a,b</c>: only those, also with <c>--tiers</c>).
/// <c>dotnet run -c Release -- --compare-with DIR [--kernels a,b] [--pairs N]</c>: this build's losses against another build's (DIR: its bin/Release/net10.0), call by call in one process.
/// <c>dotnet run -c Release -- --dump-workload DIR [--kernels a,b]</c>: the quick mode's logits and labels as raw files and this build's loss values on them, for <c>PyTorch/pytorch_losses.py</c>.
/// <c>dotnet run -c Release -- --quick-scoring [--parts decode,paths,predecoded,eval,stages,tiled]</c>: one JSON line per scoring path
/// (decode, raw ONNX Runtime, SegML, stock ML.NET, SegML on pre-decoded tensors, segml eval against a hand-written loop,
/// and where one image's time goes in each of those two).
/// <c>dotnet run -c Release -- --quick-training [--epochs N]</c>: head-training epoch time, blocked products against the former loops.
/// <c>dotnet run -c Release -- --quick-head-products [--repeats N]</c>: the head's forward product and weight gradient per image by class count, blocked against the loops.
/// <c>dotnet run -c Release -- --memory N</c>: peak resident memory of evaluating N generated 512×512 images (one process per N).
/// Anything else goes to BenchmarkDotNet, e.g. <c>dotnet run -c Release -- --filter *LossBenchmarks*</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        int kernels = Array.IndexOf(args, "--kernels");
        string[]? only = kernels >= 0 && kernels + 1 < args.Length ? args[kernels + 1].Split(',') : null;
        int compare = Array.IndexOf(args, "--compare-with");
        if (compare >= 0 && compare + 1 < args.Length)
        {
            int pairs = Array.IndexOf(args, "--pairs");
            return BuildComparison.Run(Console.Out, args[compare + 1], only, pairs >= 0 && pairs + 1 < args.Length ? int.Parse(args[pairs + 1], System.Globalization.CultureInfo.InvariantCulture) : 15);
        }

        int dump = Array.IndexOf(args, "--dump-workload");
        if (dump >= 0 && dump + 1 < args.Length)
        {
            return WorkloadDump.Run(Console.Out, args[dump + 1], only);
        }

        if (args.Contains("--tiers"))
        {
            return TierRuns.Run(Console.Out, only);
        }

        if (args.Contains("--quick"))
        {
            QuickBenchmark.Run(Console.Out, only: only);
            return 0;
        }

        if (args.Contains("--quick-scoring"))
        {
            int parts = Array.IndexOf(args, "--parts");
            Scoring.QuickScoring.Run(Console.Out, parts: parts >= 0 && parts + 1 < args.Length ? args[parts + 1].Split(',') : null);
            return 0;
        }

        if (args.Contains("--quick-head-products"))
        {
            return Training.QuickHeadProducts.Run(args, Console.Out);
        }

        if (args.Contains("--quick-training"))
        {
            return Training.QuickTraining.Run(args, Console.Out);
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
