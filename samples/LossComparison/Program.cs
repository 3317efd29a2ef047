using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using LossComparison;

// Trains one linear head per loss on frozen ResNet-18 features of generated, class-imbalanced scenes and compares
// them on held-out scenes. Run: dotnet run -c Release --project samples/LossComparison [-- --quick] [--epochs N]
// [--seed N] [--out DIR] [--resnet18 PATH/ResNet18.onnx]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
long start = Stopwatch.GetTimestamp();
ComparisonSettings settings = ComparisonSettings.Default;
string output = "loss-comparison-output";
string? resnet = null;
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
        case "--out":
            output = Next();
            break;
        case "--resnet18":
            resnet = Next();
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --quick, --epochs N, --seed N, --out DIR, --resnet18 PATH");
            return 2;
    }
}

resnet ??= DefaultResNet18Path();
if (resnet is null || !File.Exists(resnet))
{
    Console.Error.WriteLine($"ResNet18.onnx not found{(resnet is null ? "" : $" at '{resnet}'")}: restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass --resnet18 PATH.");
    return 1;
}

Directory.CreateDirectory(output);
ComparisonResult result = LossComparisonRunner.Run(resnet, settings, Console.Out);
string table = ResultReport.Markdown(result);
ResultReport.WriteJson(result, Path.Combine(output, "results.json"));
Chart.Save(result, Path.Combine(output, "loss-comparison.png"));

Console.WriteLine();
Console.WriteLine($"Train pixels: {ResultReport.Fractions(result.ClassNames, result.TrainFractions)}");
Console.WriteLine($"Test pixels:  {ResultReport.Fractions(result.ClassNames, result.TestFractions)}");
Console.WriteLine($"Weighted CE: inverse-sqrt frequency weights from the training split, mean 1: [{string.Join(", ", result.WeightedCrossEntropyWeights.Select(w => w.ToString("F3", CultureInfo.InvariantCulture)))}]");
Console.WriteLine($"{settings.TrainImages} train + {settings.TestImages} test images of {settings.Size}x{settings.Size}; linear head, {settings.Epochs} epochs, batch {settings.BatchSize}, Adam lr {settings.LearningRate}, validation {settings.ValidationFraction:P1} of train, seed {settings.Seed}");
Console.WriteLine();
Console.Write(table);
Console.WriteLine();
Console.WriteLine($"Wrote {Path.Combine(output, "results.json")} and {Path.Combine(output, "loss-comparison.png")}; wall time {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s.");
return 0;

// The package folder the build passed in (the package is restored with the sample, its file used in place).
static string? DefaultResNet18Path()
{
    string? folder = typeof(ComparisonSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "ResNet18PackageFolder")?.Value;
    return string.IsNullOrEmpty(folder) ? null : Path.Combine(folder, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
}
