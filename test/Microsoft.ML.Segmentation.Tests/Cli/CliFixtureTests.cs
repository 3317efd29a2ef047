using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary><c>segml</c> on the real fixtures in <c>shared/fixtures</c> (skipped when absent).</summary>
[TestClass]
public sealed class CliFixtureTests
{
    [TestMethod]
    public void PaddleOcrDetectorPredictsAPlausibleTextMask()
    {
        string dir = SharedData.RequireDirectory("fixtures/ppocr-det");
        using var temp = new TempDirectory();
        string images = temp.Sub("images");
        File.Copy(Path.Combine(dir, "page.png"), Path.Combine(images, "page.png"));
        string output = temp.Sub("out");
        (int code, _, string stderr) = Cli.Run(
            PredictCommand.Run, "--model", Path.Combine(dir, "ppocr-v4-det.onnx"), "--images", images, "--out", output,
            "--bgr", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225", "--resize", "pad32", "--threshold", "0.3", "--color");
        Assert.AreEqual(0, code, stderr);
        LabelMap mask = new SegmentationMaskLoader(new MaskOptions { ClassCount = 2 }).Load(Path.Combine(output, "page.png"));
        Assert.AreEqual(384, mask.Width);
        Assert.AreEqual(191, mask.Height);
        double text = mask.Labels.Count(l => l == 1) / (double)mask.Labels.Length;
        Assert.IsTrue(text is > 0.02 and < 0.40, $"text fraction {text:P1}");
        Assert.IsTrue(File.Exists(Path.Combine(output, "page_color.png")));
    }

    [TestMethod]
    public void ScenesEvalPrintsTablesAndMatchesTheLibraryDirectly()
    {
        string dir = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        using var temp = new TempDirectory();
        string json = temp.File("metrics.json");
        string model = Path.Combine(dir, "model.onnx");
        (int code, string stdout, string stderr) = Cli.Run(
            EvalCommand.Run, "--model", model, "--images", Path.Combine(dir, "images"), "--masks", Path.Combine(dir, "masks"),
            "--classes", "background,disc,box,triangle,ring", "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225", "--json", json);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "class           IoU     Dice  Precision   Recall      Support");
        StringAssert.Contains(stdout, "Confusion table");
        StringAssert.Contains(stdout, "(24 images,");
        StringAssert.Contains(stdout, "mean cross-entropy");

        // The same pairs through the library: SegmentationModel + SegmentationEvaluator.
        var evaluator = new SegmentationEvaluator(5, new SegmentationEvaluatorOptions { IgnoreIndex = 255 });
        var loader = new SegmentationImageLoader(ImageTensorOptions.ImageNet());
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = 5 });
        using var segmentation = SegmentationModel.Load(model);
        foreach (ImageMaskPair pair in ImageMaskPairs.FromFolders(Path.Combine(dir, "images"), Path.Combine(dir, "masks")))
        {
            ImageTensor tensor = loader.Load(pair.ImagePath);
            var predicted = new int[tensor.Height * tensor.Width];
            segmentation.RunMask(tensor.Data, 1, tensor.Height, tensor.Width, predicted);
            evaluator.Add(predicted, masks.Load(pair.MaskPath, tensor.Geometries[0]).Labels);
        }

        SegmentationMetrics expected = evaluator.GetMetrics();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        long[][] matrix = doc.RootElement.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        for (int t = 0; t < 5; t++)
        {
            for (int p = 0; p < 5; p++)
            {
                Assert.AreEqual(expected.GetConfusionCount(t, p), matrix[t][p], $"truth {t}, predicted {p}");
            }
        }

        Assert.AreEqual(24, doc.RootElement.GetProperty("imageCount").GetInt32());
        Assert.AreEqual(expected.MeanIoU, doc.RootElement.GetProperty("meanIoU").GetDouble(), 1e-12);
    }
}
