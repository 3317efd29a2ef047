using System.Diagnostics;
using System.Globalization;
using QuickStart;

// Scores the committed head (over the NuGet ResNet-18) on the committed test images through the full ML.NET pipeline,
// prints the per-class, confusion and per-image loss tables, and writes a report folder.
// Run: dotnet run --project samples/QuickStart [-- --out DIR] [--train] [--regenerate] [--resnet18 PATH]
// --regenerate rewrites data/ from ShapesDataset; --train retrains head.bin (seed 1) before scoring.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
long start = Stopwatch.GetTimestamp();
string output = "quickstart-output";
string? resnet = null;
bool train = false, regenerate = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--out":
            output = Next();
            break;
        case "--resnet18":
            resnet = Next();
            break;
        case "--train":
            train = true;
            break;
        case "--regenerate":
            regenerate = true;
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --out DIR, --train, --regenerate, --resnet18 PATH");
            return 2;
    }
}

if (regenerate)
{
    // Rewrites the committed PNGs; with the pinned ImageSharp they come out byte for byte as committed.
    ShapesDataset.Write(QuickStartPaths.DataFolder);
    Console.WriteLine($"Wrote {ShapesDataset.TrainCount} train and {ShapesDataset.TestCount} test scenes under {QuickStartPaths.DataFolder}.");
}

resnet ??= QuickStartPaths.DefaultResNet18;
if (resnet is null || !File.Exists(resnet))
{
    Console.Error.WriteLine($"ResNet18.onnx not found{(resnet is null ? "" : $" at '{resnet}'")}: restore the Microsoft.ML.DnnImageFeaturizer.ResNet18 package or pass --resnet18 PATH.");
    return 1;
}

if (train)
{
    byte[] head = QuickStartTrainer.Train(resnet, QuickStartPaths.DataFolder,
        r => Console.WriteLine($"Epoch {r.Epoch}: loss {r.TrainLoss:F4}, validation mIoU {r.ValidationMeanIou:F4}{(r.IsBest ? " (best)" : "")}"));
    bool same = File.Exists(QuickStartPaths.HeadFile) && File.ReadAllBytes(QuickStartPaths.HeadFile).AsSpan().SequenceEqual(head);
    File.WriteAllBytes(QuickStartPaths.HeadFile, head);
    Console.WriteLine($"Wrote {QuickStartPaths.HeadFile} ({head.Length} bytes, {(same ? "identical to" : "different from")} the previous file).");
}

string? html = null;
QuickStartResult result = QuickStartRunner.Run(
    resnet, QuickStartPaths.DataFolder, QuickStartPaths.HeadFile, (scored, metrics) => html = QuickStartHtmlReport.Write(output, scored, metrics));
Console.WriteLine($"Linear head on frozen ResNet-18 features, trained on {ShapesDataset.TrainCount} scenes; {result.Metrics.ImageCount} test scenes of {ShapesDataset.Size}x{ShapesDataset.Size}:");
Console.WriteLine();
Console.Write(result.Metrics.GetFormattedPerClassTable());
Console.WriteLine();
Console.Write(result.Metrics.GetFormattedConfusionTable());
Console.WriteLine();
Console.Write(QuickStartReport.LossTable(result.Images));
QuickStartReport.WriteReport(result, output);
Console.WriteLine();
Console.WriteLine($"Wrote {Path.GetFullPath(output)}: metrics.json, per-class.txt, confusion.txt, losses.txt, and the report {html}.");
Console.WriteLine($"Pipeline {result.Elapsed.TotalSeconds:F1} s; wall time {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s.");
return 0;
