using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using LossComparison;

// Trains one linear head per loss on frozen ResNet-18 features of generated, class-imbalanced scenes and compares
// them on held-out scenes. Run: dotnet run -c Release --project samples/LossComparison [-- --quick] [--epochs N]
// [--seed N] [--seeds N] [--out DIR] [--resnet18 PATH/ResNet18.onnx]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
long start = Stopwatch.GetTimestamp();
ComparisonSettings settings = ComparisonSettings.Default;
string output = "loss-comparison-output";
string? resnet = null;
int seeds = 1;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--quick":
            settings = ComparisonSettings.Quick with { Seed = settings.Seed };
            break;
        case "--epochs":
            settings = settings with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) };
            break;
        case "--seed":
            settings = settings with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) };
            break;
        case "--seeds":
            seeds = int.Parse(Next(), CultureInfo.InvariantCulture);
            break;
        case "--out":
            output = Next();
            break;
        case "--resnet18":
            resnet = Next();
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --quick, --epochs N, --seed N, --seeds N, --out DIR, --resnet18 PATH");
            return 2;
    }
}

resnet ??= DefaultResNet18Path();
if (resnet is null || !File.Exists(resnet))
{
    Console.Error.WriteLine($"ResNet18.onnx not found{(resnet is null ? "" : $" at '{resnet}'")}: restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass --resnet18 PATH.");
    return 1;
}

if (seeds < 1)
{
    Console.Error.WriteLine("--seeds must be 1 or more.");
    return 2;
}

Directory.CreateDirectory(output);
var results = new List<ComparisonResult>();
for (int s = 0; s < seeds; s++)
{
    ComparisonSettings run = settings with { Seed = settings.Seed + s };
    // One seed writes into the output folder itself; several write a folder per seed and a summary.
    string folder = seeds == 1 ? output : Path.Combine(output, $"seed{run.Seed}");
    Directory.CreateDirectory(folder);
    ComparisonResult result = LossComparisonRunner.Run(resnet, run, Console.Out);
    ResultReport.WriteJson(result, Path.Combine(folder, "results.json"));
    Chart.Save(result, Path.Combine(folder, "loss-comparison.png"));
    results.Add(result);

    Console.WriteLine();
    Console.WriteLine($"Train pixels: {ResultReport.Fractions(result.ClassNames, result.TrainFractions)}");
    Console.WriteLine($"Test pixels:  {ResultReport.Fractions(result.ClassNames, result.TestFractions)}");
    foreach (LossRun weighted in result.Runs.Where(r => r.ClassWeights is not null))
    {
        Console.WriteLine($"{weighted.Loss}, from the training split: [{string.Join(", ", weighted.ClassWeights!.Select(w => w.ToString("F3", CultureInfo.InvariantCulture)))}]");
    }

    Console.WriteLine($"{run.TrainImages} train + {run.TestImages} test images of {run.Size}x{run.Size}; linear head, {run.Epochs} epochs, batch {run.BatchSize}, Adam lr {run.LearningRate}, validation {run.ValidationFraction:P1} of train, seed {run.Seed}");
    Console.WriteLine();
    Console.Write(ResultReport.Markdown(result));
    Console.WriteLine();
    Console.WriteLine($"Wrote {Path.Combine(folder, "results.json")} and {Path.Combine(folder, "loss-comparison.png")}.");
    Console.WriteLine();
}

if (seeds > 1)
{
    string summary = SeedSummary.Markdown(results);
    File.WriteAllText(Path.Combine(output, "summary.md"), summary);
    Console.Write(summary);
    Console.WriteLine();
}

Console.WriteLine($"Wall time {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s.");
return 0;

// The package folder the build passed in (the package is restored with the sample, its file used in place).
static string? DefaultResNet18Path()
{
    string? folder = typeof(ComparisonSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "ResNet18PackageFolder")?.Value;
    return string.IsNullOrEmpty(folder) ? null : Path.Combine(folder, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
}
