using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>Real exported models from <c>shared/fixtures</c>, compared with what PyTorch computed on the same files.</summary>
[TestClass]
public sealed class FixtureModelTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void LrasppLoadsAndRunsExactlyAsOnnxRuntime()
    {
        string dir = Support.SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string path = Path.Combine(dir, "model.onnx");
        var log = new List<string>();
        using var model = SegmentationModel.Load(path, new OnnxSessionOptions { Log = log.Add });
        Assert.AreEqual("input", model.InputName);
        Assert.AreEqual("out", model.OutputName);
        Assert.AreEqual(3, model.InputChannels);
        Assert.IsTrue(model.OutputChannels is null or 5, model.OutputLayout);
        Assert.AreEqual(SegmentationOutputKind.Logits, model.OutputKind);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        TestContext.WriteLine(string.Join("\n", log));

        // Two sizes through one session, against a plain InferenceSession run on a copied tensor.
        using var session = new InferenceSession(path);
        foreach (string file in new[] { "scene_000.png", "scene_001.png" })
        {
            (float[] input, int height, int width) = FixtureImages.LoadNormalized(Path.Combine(dir, "images", file));
            var scores = new float[5 * height * width];
            Assert.AreEqual(new SegmentationShape(1, 5, height, width), model.Run(input, 1, height, width, scores), file);

            using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, height, width]);
            using RunOptions runOptions = new();
            using IDisposableReadOnlyCollection<OrtValue> direct = session.Run(runOptions, ["input"], [value], ["out"]);
            CollectionAssert.AreEqual(direct[0].GetTensorDataAsSpan<float>().ToArray(), scores, file);

            var labels = new int[height * width];
            model.RunMask(input, 1, height, width, labels);
            var argmax = new int[height * width];
            MaskPrediction.Argmax<float>(scores, new SegmentationShape(1, 5, height, width), argmax);
            CollectionAssert.AreEqual(argmax, labels, file);
        }
    }

    [TestMethod]
    public void LrasppMasksMatchTheReferenceSupport()
    {
        // The reference's confusion rows must sum to the class counts of the fixture's own masks.
        string dir = Support.SharedData.RequireDirectory("fixtures/scenes-lraspp");
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")));
        JsonElement root = reference.RootElement;
        int classes = root.GetProperty("classes").GetInt32();
        var support = new long[classes];
        foreach (JsonElement entry in root.GetProperty("per_image").EnumerateArray())
        {
            (int[] truth, _, _) = FixtureImages.LoadGray(Path.Combine(dir, "masks", entry.GetProperty("file").GetString()!));
            foreach (int label in truth)
            {
                support[label]++;
            }
        }

        JsonElement confusion = root.GetProperty("confusion_rows_truth_cols_pred");
        for (int t = 0; t < classes; t++)
        {
            Assert.AreEqual(confusion[t].EnumerateArray().Sum(v => v.GetInt64()), support[t], $"class {t}");
        }
    }

    [TestMethod]
    public void LrasppAgreesWithPyTorchReference()
    {
        string dir = Support.SharedData.RequireDirectory("fixtures/scenes-lraspp");
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")));
        JsonElement root = reference.RootElement;
        int classes = root.GetProperty("classes").GetInt32();
        using var model = SegmentationModel.Load(Path.Combine(dir, "model.onnx"));

        var matrix = new ConfusionMatrix(classes);
        // PyTorch's reference is "the mean over all pixels" (the masks have no ignore index, so both averagings agree).
        var loss = new CrossEntropyLoss(new CrossEntropyLossOptions { Averaging = PointwiseAveraging.All });
        double maxCeDifference = 0;
        int images = 0;
        foreach (JsonElement entry in root.GetProperty("per_image").EnumerateArray())
        {
            string file = entry.GetProperty("file").GetString()!;
            (float[] input, int height, int width) = FixtureImages.LoadNormalized(Path.Combine(dir, "images", file));
            (int[] truth, int maskHeight, int maskWidth) = FixtureImages.LoadGray(Path.Combine(dir, "masks", file));
            Assert.AreEqual((height, width), (maskHeight, maskWidth), file);

            var scores = new float[classes * height * width];
            SegmentationShape shape = model.Run(input, 1, height, width, scores);
            var predicted = new int[height * width];
            MaskPrediction.Argmax<float>(scores, shape, predicted);
            matrix.Add(predicted, truth, shape);

            double ce = loss.Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(truth));
            double accuracy = predicted.Zip(truth).Count(pair => pair.First == pair.Second) / (double)predicted.Length;
            maxCeDifference = Math.Max(maxCeDifference, Math.Abs(ce - entry.GetProperty("ce_mean").GetDouble()));
            TestContext.WriteLine($"{file}: CE {ce:F6} (PyTorch {entry.GetProperty("ce_mean").GetDouble():F6}), accuracy {accuracy:F6} (PyTorch {entry.GetProperty("pixel_accuracy").GetDouble():F6})");
            images++;
        }

        Assert.AreEqual(24, images);
        long maxCellDifference = 0;
        JsonElement confusion = root.GetProperty("confusion_rows_truth_cols_pred");
        for (int t = 0; t < classes; t++)
        {
            for (int p = 0; p < classes; p++)
            {
                maxCellDifference = Math.Max(maxCellDifference, Math.Abs(matrix[t, p] - confusion[t][p].GetInt64()));
            }
        }

        double[] iou = ConfusionMetrics.Compute(ConfusionMetric.Iou, matrix.ToCounts(), new MetricOptions { Reduction = MetricReduction.PerClass });
        double miouDifference = Math.Abs(iou.Average() - root.GetProperty("miou").GetDouble());
        string summary = $"max confusion cell difference {maxCellDifference} px; mIoU {iou.Average():F6} vs {root.GetProperty("miou").GetDouble():F6} (difference {miouDifference:E2}); max per-image CE difference {maxCeDifference:E2}";
        TestContext.WriteLine(summary);

        // ONNX Runtime and PyTorch differ in the last float bits, so an argmax can flip on a near tie (fixtures/README.md).
        Assert.IsTrue(maxCellDifference <= 5, summary);
        Assert.IsTrue(miouDifference <= 1e-3, summary);
        Assert.IsTrue(maxCeDifference <= 1e-4, summary);
    }

    [TestMethod]
    public void PaddleOcrDetectorFindsTextOnDarkRows()
    {
        string dir = Support.SharedData.RequireDirectory("fixtures/ppocr-det");
        using var model = SegmentationModel.Load(Path.Combine(dir, "ppocr-v4-det.onnx"));
        Assert.AreEqual("x", model.InputName);
        Assert.AreEqual("sigmoid_0.tmp_0", model.OutputName);
        Assert.AreEqual(SegmentationOutputKind.Probabilities, model.OutputKind);
        Assert.AreEqual(1, model.OutputChannels);

        string page = Path.Combine(dir, "page.png");
        (float[] input, int height, int width) = FixtureImages.LoadNormalized(page, bgr: true, multiple: 32, padValue: 255);
        (int[] gray, int pageHeight, int pageWidth) = FixtureImages.LoadGray(page);
        Assert.AreEqual(0, height % 32);
        Assert.AreEqual(0, width % 32);

        var probabilities = new float[height * width];
        SegmentationShape shape = model.Run(input, 1, height, width, probabilities);
        Assert.AreEqual(new SegmentationShape(1, 1, height, width), shape);

        // Per row of the original page: the share of text pixels (p > 0.3, PaddleOCR's threshold) and of dark pixels.
        long text = 0;
        var rowText = new double[pageHeight];
        var rowDark = new double[pageHeight];
        for (int y = 0; y < pageHeight; y++)
        {
            for (int x = 0; x < pageWidth; x++)
            {
                if (probabilities[(y * width) + x] > 0.3f)
                {
                    text++;
                    rowText[y]++;
                }

                if (gray[(y * pageWidth) + x] < 128)
                {
                    rowDark[y]++;
                }
            }
        }

        double fraction = (double)text / (pageHeight * pageWidth);
        double correlation = Correlation(rowText, rowDark);
        double darkOnTextRows = Mean(rowDark.Where((_, y) => rowText[y] > 0.1 * pageWidth));
        double darkOnOtherRows = Mean(rowDark.Where((_, y) => rowText[y] == 0));
        TestContext.WriteLine($"text fraction {fraction:P2}; row correlation text/dark {correlation:F3}; dark pixels per row on text rows {darkOnTextRows:F1}, on text-free rows {darkOnOtherRows:F1}");
        Assert.IsTrue(fraction is > 0.02 and < 0.40, $"text fraction {fraction:P2} outside 2–40 %");
        Assert.IsTrue(correlation > 0.5, $"text and dark rows correlate only {correlation:F3}");
        Assert.IsTrue(darkOnTextRows > 2 * darkOnOtherRows, $"dark pixels per row: {darkOnTextRows:F1} on text rows, {darkOnOtherRows:F1} elsewhere");
    }

    private static double Mean(IEnumerable<double> values)
    {
        double[] all = values.ToArray();
        return all.Length == 0 ? 0 : all.Average();
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }

        return cov / Math.Sqrt(va * vb);
    }
}
