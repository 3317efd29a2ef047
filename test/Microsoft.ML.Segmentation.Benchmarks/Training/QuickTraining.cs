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
/// is epoch 1 minus that median: the JIT warm-up (the very first run of the process also compiles the shared code).
/// Options: <c>--resnet18 PATH</c> (default: the ResNet-18 package's file), <c>--epochs N</c>, <c>--images N</c>.
/// </remarks>
public static class QuickTraining
{
    public static int Run(string[] args, TextWriter output)
    {
        string? resnet = Option(args, "--resnet18") ?? DefaultResNet18Path();
        int epochs = int.Parse(Option(args, "--epochs") ?? "4", CultureInfo.InvariantCulture);
        int images = int.Parse(Option(args, "--images") ?? "64", CultureInfo.InvariantCulture);
        if (resnet is null || !File.Exists(resnet))
        {
            Console.Error.WriteLine($"--quick-training: ResNet18.onnx not found{(resnet is null ? "" : $" at '{resnet}'")}; restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass --resnet18 PATH.");
            return 1;
        }

        if (epochs < 2 || images < 2)
        {
            Console.Error.WriteLine($"--quick-training: --epochs ({epochs}) and --images ({images}) must be 2 or more (epoch 1 is the warm-up).");
            return 2;
        }

        ComparisonSettings settings = ComparisonSettings.Default;
        (List<float[]> scenes, List<int[]> labels) = SyntheticScenes.Generate(images, settings.Size, settings.Seed);
        long start = Stopwatch.GetTimestamp();
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(resnet);
        using FeatureCache features = FeatureCache.Create(backbone, scenes.Select(i => (i, settings.Size, settings.Size)));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"--quick-training: {features.Count} images of {settings.Size}x{settings.Size}, {features.Get(0).TotalChannels} feature channels, extracted in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));

        foreach ((string head, HeadArchitecture architecture, int hidden) in new[] { ("linear", HeadArchitecture.Linear, 1), ("mlp-256", HeadArchitecture.Mlp, 256) })
        {
            double? loops = null;
            // Loops first, then blocked: the first run of the process carries the JIT of everything the two share.
            foreach ((string kernels, HeadMatrixKernels implementation) in new (string, HeadMatrixKernels)[] { ("loops", LoopHeadMatrixKernels.Instance), ("blocked", HeadMatrixKernels.Blocked) })
            {
                var options = new HeadTrainingOptions
                {
                    Classes = SyntheticScenes.ClassNames.Count,
                    Architecture = architecture,
                    HiddenChannels = hidden,
                    Epochs = epochs,
                    BatchSize = settings.BatchSize,
                    LearningRate = settings.LearningRate,
                    ValidationFraction = settings.ValidationFraction,
                    EarlyStoppingPatience = 0,
                    Seed = settings.Seed,
                };
                HeadTrainingResult result = HeadTrainer.TrainWithKernels(features, labels, options, implementation, CancellationToken.None);
                double[] times = result.History.Select(r => r.Elapsed.TotalMilliseconds).ToArray();
                double[] rest = times.Skip(1).Order().ToArray();
                double median = rest[rest.Length / 2];
                loops ??= median;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"training\":\"{head}\",\"kernels\":\"{kernels}\",\"images\":{features.Count},\"size\":{settings.Size},\"epochs\":{epochs},\"epoch_ms\":{median:F1},\"first_epoch_extra_ms\":{times[0] - median:F1},\"speedup_vs_loops\":{loops.Value / median:F2},\"final_train_loss\":{result.History[^1].TrainLoss:F6},\"threads\":{Environment.ProcessorCount}}}"));
            }
        }

        return 0;
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
