using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using LossComparison;
using Microsoft.ML.Segmentation.Tests.Training;
using Microsoft.ML.Segmentation.Training;

namespace Microsoft.ML.Segmentation.Benchmarks.Training;

/// <summary>
/// <c>--quick-training</c>: head-training epoch time on the LossComparison sample's data (its generated scenes, frozen
/// ResNet-18 features at strides 4/8/16, 448 channels), for a linear head and an MLP-256, with the blocked matrix
/// products (what the library runs) and with the plain loops it ran before (<see cref="LoopHeadMatrixKernels"/>, the
/// test project's reference), in one process, so the ratio compares like with like. One JSON line per run.
/// </summary>
/// <remarks>
/// Each run trains <c>--epochs</c> epochs (default 4) of cross-entropy, batch 8, Adam, on the sample's default 64 + 0
/// images of 128×128 (validation 1/8); the epoch time is the median of epochs 2.., and <c>first_epoch_extra_ms</c>
/// is epoch 1 minus that median. Each head is timed twice: <c>"jit":"first_run"</c> as a fresh process meets it (its
/// <c>first_epoch_extra_ms</c> is the JIT warm-up; the very first run also compiles the shared code), then
/// <c>"jit":"steady"</c> after <see cref="JitWarmUp"/> (two-epoch runs of both kernel sets until nothing is compiled).
/// Options: <c>--resnet18 PATH</c> (default: the ResNet-18 package's file), <c>--epochs N</c>, <c>--steady-epochs N</c>
/// (default 12: the steady runs' epochs, whose median varies less), <c>--images N</c>.
/// </remarks>
public static class QuickTraining
{
    public static int Run(string[] args, TextWriter output)
    {
        string? resnet = Option(args, "--resnet18") ?? DefaultResNet18Path();
        int epochs = int.Parse(Option(args, "--epochs") ?? "4", CultureInfo.InvariantCulture);
        int images = int.Parse(Option(args, "--images") ?? "64", CultureInfo.InvariantCulture);
        int steadyEpochs = int.Parse(Option(args, "--steady-epochs") ?? "12", CultureInfo.InvariantCulture);
        if (resnet is null || !File.Exists(resnet))
        {
            Console.Error.WriteLine($"--quick-training: ResNet18.onnx not found{(resnet is null ? "" : $" at '{resnet}'")}; restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass --resnet18 PATH.");
            return 1;
        }

        if (epochs < 2 || steadyEpochs < 2 || images < 2)
        {
            Console.Error.WriteLine($"--quick-training: --epochs ({epochs}), --steady-epochs ({steadyEpochs}) and --images ({images}) must be 2 or more (epoch 1 is the warm-up).");
            return 2;
        }

        ComparisonSettings settings = ComparisonSettings.Default;
        (List<float[]> scenes, List<int[]> labels) = SyntheticScenes.Generate(images, settings.Size, settings.Seed);
        long start = Stopwatch.GetTimestamp();
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(resnet);
        using FeatureCache features = FeatureCache.Create(backbone, scenes.Select(i => (i, settings.Size, settings.Size)));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"--quick-training: {features.Count} images of {settings.Size}x{settings.Size}, {features.Get(0).TotalChannels} feature channels, extracted in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));

        var kernelSets = new (string Name, HeadMatrixKernels Implementation)[] { ("loops", LoopHeadMatrixKernels.Instance), ("blocked", HeadMatrixKernels.Blocked) };
        foreach ((string head, HeadArchitecture architecture, int hidden) in new[] { ("linear", HeadArchitecture.Linear, 1), ("mlp-256", HeadArchitecture.Mlp, 256) })
        {
            HeadTrainingResult Train(HeadMatrixKernels implementation, int epochCount) => HeadTrainer.TrainWithKernels(
                features, labels, Options(settings, architecture, hidden, epochCount), implementation, CancellationToken.None);

            // First as a fresh process runs them (loops first: that run also compiles what the two share), then again
            // once the tiered JIT is done with both: 4 epochs of 64 images call each product too few times, too soon,
            // for its tier-1 code (the blocked linear head read 0.71–0.85× the loops at first, 0.98–1.50× steady).
            foreach (string jit in new[] { "first_run", "steady" })
            {
                if (jit == "steady")
                {
                    JitWarmUp.UntilSteady(kernelSets.Select(k => (Action)(() => Train(k.Implementation, 2))).ToArray(), minimumRounds: 2, maximumSeconds: 60);
                }

                double? loops = null;
                foreach ((string kernels, HeadMatrixKernels implementation) in kernelSets)
                {
                    HeadTrainingResult result = Train(implementation, jit == "steady" ? steadyEpochs : epochs);
                    double[] times = result.History.Select(r => r.Elapsed.TotalMilliseconds).ToArray();
                    double[] rest = times.Skip(1).Order().ToArray();
                    double median = rest[rest.Length / 2];
                    loops ??= median;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"training\":\"{head}\",\"kernels\":\"{kernels}\",\"jit\":\"{jit}\",\"images\":{features.Count},\"size\":{settings.Size},\"epochs\":{result.History.Count},\"epoch_ms\":{median:F1},\"first_epoch_extra_ms\":{times[0] - median:F1},\"speedup_vs_loops\":{loops.Value / median:F2},\"final_train_loss\":{result.History[^1].TrainLoss:F6},\"threads\":{Environment.ProcessorCount}}}"));
                }
            }
        }

        return 0;
    }

    /// <summary>The sample's options for its heads (<see cref="ComparisonSettings.HeadOptions"/>), with this run's head and epochs.</summary>
    private static HeadTrainingOptions Options(ComparisonSettings settings, HeadArchitecture architecture, int hidden, int epochs)
    {
        HeadTrainingOptions options = settings.HeadOptions(SyntheticScenes.ClassNames.Count);
        options.Architecture = architecture;
        options.HiddenChannels = hidden;
        options.Epochs = epochs;
        return options;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? DefaultResNet18Path()
    {
        string? folder = typeof(QuickTraining).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ResNet18PackageFolder")?.Value;
        return string.IsNullOrEmpty(folder) ? null : Path.Combine(folder, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
    }
}
