// Scores single images through a PredictionEngine (SegmentationPredictor.cs, the README's example) and prints each
// one's pixel accuracy and losses. The model: LR-ASPP from ../shared/fixtures/scenes-lraspp (a folder beside the
// repository) when present, or any five-class model with its images and masks given on the command line.
// Run: dotnet run --project samples/PredictionEngine [-- model.onnx imagesDir masksDir]
string fixture = Path.Combine("..", "shared", "fixtures", "scenes-lraspp");
string modelPath = args.Length == 3 ? args[0] : Path.Combine(fixture, "model.onnx");
string imagesDir = args.Length == 3 ? args[1] : Path.Combine(fixture, "images");
string masksDir = args.Length == 3 ? args[2] : Path.Combine(fixture, "masks");
if (!File.Exists(modelPath) || !Directory.Exists(imagesDir) || !Directory.Exists(masksDir))
{
    Console.Error.WriteLine(
        $"No model at '{Path.GetFullPath(modelPath)}' (or its images/masks folders): run from the repository root with the shared/ fixtures beside it, or pass model.onnx imagesDir masksDir.");
    return 1;
}

string[] classes = ["background", "disc", "box", "triangle", "ring"];
using var predictor = new SegmentationPredictor(modelPath, classes);
foreach (string image in Directory.GetFiles(imagesDir, "*.png").Order(StringComparer.Ordinal).Take(4))
{
    string mask = Path.Combine(masksDir, Path.GetFileName(image));
    SegmentationPrediction p = predictor.Predict(image, mask);
    int labelled = p.Mask.Count(k => k != 0);
    int correct = p.PredictedMask.Zip(p.Mask).Count(pair => pair.Second != 0 && pair.First == pair.Second);
    Console.WriteLine($"{Path.GetFileName(image)}: {p.PredictedMask.Length} pixels, accuracy {(double)correct / labelled:F4}, cross-entropy {p.CrossEntropy:F4}, Dice loss {p.Dice:F4}, {p.Scores.Length / p.PredictedMask.Length} score channels");
}

return 0;
