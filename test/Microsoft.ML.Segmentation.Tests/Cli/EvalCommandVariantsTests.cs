using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Tests.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary><c>segml eval</c> with letterboxing, one-channel models and binary masks; the program's command switch.</summary>
[TestClass]
public sealed class EvalCommandVariantsTests
{
    private static long[][] Confusion(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.GetProperty("confusionMatrix").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
    }

    [TestMethod]
    public void LetterboxPaddingIsIgnored()
    {
        using var data = new GeneratedDataset(("wide", 12, 6), ("tall", 5, 9));
        string json = data.File("m.json");
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4", "--size", "8x8", "--resize", "letterbox", "--json", json);
        Assert.AreEqual(0, code, stderr);

        var options = new ImageTensorOptions { ResizeMode = ImageResizeMode.Letterbox, Width = 8, Height = 8 };
        var loader = new SegmentationImageLoader(options);
        var masks = new SegmentationMaskLoader(new MaskOptions { ClassCount = TestModels.Classes });
        var evaluator = new SegmentationEvaluator(TestModels.Classes, new SegmentationEvaluatorOptions { IgnoreIndex = 255 });
        long counted = 0;
        foreach (string name in new[] { "tall", "wide" })
        {
            ImageTensor tensor = loader.Load(Path.Combine(data.Images, name + ".png"));
            int[] truth = masks.Load(Path.Combine(data.Masks, name + ".png"), tensor.Geometries[0]).Labels;
            var predicted = new int[64];
            MaskPrediction.Argmax<float>(TestModels.ConvHeadReference(tensor.Data, 1, 8, 8), new SegmentationShape(1, TestModels.Classes, 8, 8), predicted);
            evaluator.Add(predicted, truth);
            counted += truth.Count(t => t != 255);
        }

        long[][] actual = Confusion(json);
        SegmentationMetrics expected = evaluator.GetMetrics();
        Assert.AreEqual(counted, actual.Sum(r => r.Sum()), "padding pixels take no part");
        Assert.IsTrue(counted < 128, "the letterbox borders are padding");
        for (int t = 0; t < TestModels.Classes; t++)
        {
            CollectionAssert.AreEqual(Enumerable.Range(0, TestModels.Classes).Select(p => expected.GetConfusionCount(t, p)).ToArray(), actual[t]);
        }
    }

    [TestMethod]
    public void OneChannelModelWithBinaryMasksUsesTwoClassesAndTheThreshold()
    {
        using var data = new GeneratedDataset(("one", 6, 5));
        File.WriteAllBytes(data.Model, TestModels.BinarySigmoid());
        using (var mask = new Image<L8>(6, 5))
        {
            for (int y = 0; y < 5; y++)
            {
                for (int x = 0; x < 6; x++)
                {
                    mask[x, y] = new L8((byte)(x < 3 ? 0 : 255));
                }
            }

            mask.SaveAsPng(Path.Combine(data.Masks, "one.png"));
        }

        ImageTensor tensor = new SegmentationImageLoader().Load(Path.Combine(data.Images, "one.png"));
        float[] p = TestModels.BinaryReference(tensor.Data, 1, 5, 6);
        long[,] expected = new long[2, 2];
        for (int i = 0; i < 30; i++)
        {
            expected[i % 6 < 3 ? 0 : 1, p[i] > 0.4f ? 1 : 0]++;
        }

        string json = data.File("m.json");
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "background,foreground", "--mask-format", "binary", "--threshold", "0.4", "--json", json);
        Assert.AreEqual(0, code, stderr);
        Assert.IsFalse(stdout.Contains("cross-entropy", StringComparison.Ordinal), "a probability model gives no cross-entropy");
        long[][] actual = Confusion(json);
        CollectionAssert.AreEqual(new[] { expected[0, 0], expected[0, 1] }, actual[0]);
        CollectionAssert.AreEqual(new[] { expected[1, 0], expected[1, 1] }, actual[1]);

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "3", "--mask-format", "binary");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "a one-channel model has 2 classes");
    }

    [TestMethod]
    public void ProgramRoutesTheNewCommands()
    {
        Assert.AreEqual(0, Microsoft.ML.Segmentation.Cli.Program.Main(["eval", "--help"]));
        Assert.AreEqual(0, Microsoft.ML.Segmentation.Cli.Program.Main(["predict", "--help"]));
        Assert.AreEqual(1, Microsoft.ML.Segmentation.Cli.Program.Main(["eval", "--bogus"]));
        Assert.AreEqual(1, Microsoft.ML.Segmentation.Cli.Program.Main(["golden"]));
    }
}
