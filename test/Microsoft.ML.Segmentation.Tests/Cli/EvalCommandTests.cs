using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Tests.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary><c>segml eval</c> end to end on a generated dataset, against the same metrics computed in C#.</summary>
[TestClass]
public sealed class EvalCommandTests
{
    private static readonly string[] s_names = ["bg", "a", "b", "c"];

    /// <summary>What eval should report: the conv head computed in C#, argmax, <see cref="SegmentationEvaluator"/>, mean per-image cross-entropy.</summary>
    private static (SegmentationMetrics Metrics, double CrossEntropy) Expected(GeneratedDataset data, ImageTensorOptions options)
    {
        var evaluator = new SegmentationEvaluator(TestModels.Classes, new SegmentationEvaluatorOptions { ClassNames = s_names, IgnoreIndex = 255 });
        var loader = new SegmentationImageLoader(options);
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = TestModels.Classes });
        double ce = 0;
        string[] files = Directory.GetFiles(data.Images).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (string image in files)
        {
            ImageTensor tensor = loader.Load(image);
            int[] truth = masks.Load(Path.Combine(data.Masks, Path.GetFileName(image)), tensor.Geometries[0]).Labels;
            float[] logits = TestModels.ConvHeadReference(tensor.Data, 1, tensor.Height, tensor.Width);
            var shape = new SegmentationShape(1, TestModels.Classes, tensor.Height, tensor.Width);
            var predicted = new int[tensor.Height * tensor.Width];
            MaskPrediction.Argmax<float>(logits, shape, predicted);
            evaluator.Add(predicted, truth);
            ce += new CrossEntropyLoss().Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(truth, 255));
        }

        return (evaluator.GetMetrics(), ce / files.Length);
    }

    [TestMethod]
    public void MetricsTablesAndJsonMatchACSharpComputation()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        string json = data.File("metrics.json");
        (int code, string stdout, string stderr) = Cli.Run(
            EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "bg,a,b,c", "--mean", "0.5", "--std", "0.25", "--json", json);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "Evaluated 3 of 3 images");

        (SegmentationMetrics expected, double expectedCe) = Expected(data, new ImageTensorOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] });
        StringAssert.Contains(stdout, expected.GetFormattedPerClassTable());
        StringAssert.Contains(stdout, expected.GetFormattedConfusionTable());
        StringAssert.Contains(stdout, "mean cross-entropy");

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = doc.RootElement;
        Assert.AreEqual(3, root.GetProperty("imageCount").GetInt32());
        Assert.AreEqual(expected.PixelCount, root.GetProperty("pixelCount").GetInt64());
        CollectionAssert.AreEqual(s_names, root.GetProperty("classNames").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual(expected.MeanIoU, root.GetProperty("meanIoU").GetDouble(), 1e-12);
        Assert.AreEqual(expected.MeanDice, root.GetProperty("meanDice").GetDouble(), 1e-12);
        Assert.AreEqual(expected.PixelAccuracy, root.GetProperty("pixelAccuracy").GetDouble(), 1e-12);
        Assert.AreEqual(expected.MeanAccuracy, root.GetProperty("meanAccuracy").GetDouble(), 1e-12);
        Assert.AreEqual(expected.FrequencyWeightedIoU, root.GetProperty("frequencyWeightedIoU").GetDouble(), 1e-12);
        Assert.AreEqual(expectedCe, root.GetProperty("meanCrossEntropy").GetDouble(), 1e-4);
        JsonElement perClass = root.GetProperty("perClass");
        foreach ((string name, IReadOnlyList<double> values) in new[] { ("iou", expected.PerClassIoU), ("dice", expected.PerClassDice), ("precision", expected.PerClassPrecision), ("recall", expected.PerClassRecall) })
        {
            double[] actual = perClass.GetProperty(name).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble()).ToArray();
            CollectionAssert.AreEqual(values.ToArray(), actual, name);
        }

        CollectionAssert.AreEqual(expected.PerClassSupport.ToArray(), perClass.GetProperty("support").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        long[][] matrix = root.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        for (int t = 0; t < TestModels.Classes; t++)
        {
            for (int p = 0; p < TestModels.Classes; p++)
            {
                Assert.AreEqual(expected.GetConfusionCount(t, p), matrix[t][p], $"truth {t}, predicted {p}");
            }
        }

        Assert.AreEqual(data.Model, root.GetProperty("model").GetProperty("path").GetString());
        Assert.AreEqual("Logits", root.GetProperty("model").GetProperty("outputKind").GetString());
        JsonElement options = root.GetProperty("options");
        Assert.AreEqual(255, options.GetProperty("ignoreIndex").GetInt32());
        Assert.AreEqual("Macro", options.GetProperty("reduction").GetString());
        Assert.AreEqual(0.25, options.GetProperty("std")[1].GetDouble(), 1e-7);
    }

    [TestMethod]
    public void BoundaryFlagAddsBoundaryMetricsToTableAndJson()
    {
        using var data = new GeneratedDataset(("one", 9, 7), ("two", 8, 8));
        string json = data.File("boundary.json");
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4", "--boundary", "--json", json);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "HD95");
        StringAssert.Contains(stdout, "BoundaryIoU");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement perClass = document.RootElement.GetProperty("perClass");
        Assert.AreEqual(4, perClass.GetProperty("hausdorff").GetArrayLength());
        Assert.AreEqual(4, perClass.GetProperty("boundaryIoU").GetArrayLength());
        Assert.IsTrue(document.RootElement.GetProperty("options").GetProperty("boundary").GetBoolean());
    }

    [TestMethod]
    public void ManifestGivesTheSameConfusionCounts()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6));
        string manifest = data.File("pairs.csv");
        File.WriteAllLines(manifest, ["image,mask", "images/one.png,masks/one.png", "images/two.png,masks/two.png"]);
        string fromFolders = data.File("folders.json"), fromManifest = data.File("manifest.json");
        Assert.AreEqual(0, Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4", "--json", fromFolders).Code);
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--manifest", manifest, "--classes", "4", "--json", fromManifest, "--reduction", "macro-imagewise");
        Assert.AreEqual(0, code, stderr);
        using JsonDocument a = JsonDocument.Parse(File.ReadAllText(fromFolders));
        using JsonDocument b = JsonDocument.Parse(File.ReadAllText(fromManifest));
        Assert.AreEqual(a.RootElement.GetProperty("confusionMatrix").GetRawText(), b.RootElement.GetProperty("confusionMatrix").GetRawText());
        Assert.AreEqual("MacroImagewise", b.RootElement.GetProperty("options").GetProperty("reduction").GetString());
    }

    [TestMethod]
    public void UnmatchedFilesExitOneNamingThem()
    {
        using var data = new GeneratedDataset(("one", 4, 4), ("two", 4, 4));
        File.Move(Path.Combine(data.Masks, "two.png"), Path.Combine(data.Masks, "deux.png"));
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "1 image(s) have no mask: two.");
        StringAssert.Contains(stderr, "1 mask(s) have no image: deux.");
    }

    [TestMethod]
    public void ClassCountThatDoesNotFitTheModelExitsOne()
    {
        using var data = new GeneratedDataset(("one", 4, 4));
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "5");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "gives 4 channel(s)");

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", data.File("missing.onnx"), "--images", data.Images, "--masks", data.Masks, "--classes", "4");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "missing.onnx");
    }
}
