using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

[TestClass]
public sealed class SegmentationModelTests
{
    [TestMethod]
    [DataRow(1, 5, 7)]
    [DataRow(3, 16, 12)]
    [DataRow(2, 1, 1)]
    public void ConvHeadMatchesCSharp(int batch, int height, int width)
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead());
        float[] image = TestModels.RandomImages(batch, height, width, seed: batch + height);
        var scores = new float[batch * TestModels.Classes * height * width];
        SegmentationShape shape = model.Run(image, batch, height, width, scores);

        Assert.AreEqual(new SegmentationShape(batch, TestModels.Classes, height, width), shape);
        AssertClose(TestModels.ConvHeadReference(image, batch, height, width), scores, 1e-5);
    }

    [TestMethod]
    public void GrowingBufferOverloadEqualsTheSpanOverload()
    {
        using var model = SegmentationModel.Load(TestModels.Stride4Head(), new OnnxSessionOptions { UpsampleToInput = true });
        float[] image = TestModels.RandomImages(2, 16, 12, seed: 4);
        float[] buffer = Array.Empty<float>();
        SegmentationShape grown = model.Run(image, 2, 16, 12, ref buffer);
        var expected = new float[grown.ElementCount];
        SegmentationShape direct = model.Run(image, 2, 16, 12, expected);
        Assert.AreEqual(direct, grown);
        CollectionAssert.AreEqual(expected, buffer.AsSpan(0, grown.ElementCount).ToArray());
        float[] same = buffer;
        model.Run(image, 2, 16, 12, ref buffer);
        Assert.AreSame(same, buffer, "a large enough buffer is reused");
    }

    [TestMethod]
    public void SameModelTakesDifferentSizes()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead());
        foreach ((int n, int h, int w) in new[] { (1, 4, 4), (4, 9, 3), (2, 32, 17) })
        {
            float[] image = TestModels.RandomImages(n, h, w, seed: h * w);
            var scores = new float[n * TestModels.Classes * h * w];
            model.Run(image, n, h, w, scores);
            AssertClose(TestModels.ConvHeadReference(image, n, h, w), scores, 1e-5);
        }
    }

    [TestMethod]
    public void FindsInputAndOutputAndDescribesThem()
    {
        var log = new List<string>();
        using var model = SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { Log = log.Add }, "conv-head");

        Assert.AreEqual("image", model.InputName);
        Assert.AreEqual("logits", model.OutputName);
        Assert.AreEqual("[N,3,H,W]", model.InputLayout);
        Assert.AreEqual("[N,4,H,W]", model.OutputLayout);
        Assert.AreEqual(3, model.InputChannels);
        Assert.AreEqual(4, model.OutputChannels);
        Assert.AreEqual(SegmentationOutputKind.Logits, model.OutputKind);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.IsNull(model.ExecutionProviderFallbackReason);
        Assert.IsTrue(log.Any(l => l.Contains("execution provider Cpu") && l.Contains("conv-head")), string.Join("\n", log));
    }

    [TestMethod]
    public void OutputChosenByNameIsDetectedAsProbabilities()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { OutputName = "aux", InputName = "image" });
        Assert.AreEqual("aux", model.OutputName);
        Assert.AreEqual(SegmentationOutputKind.Probabilities, model.OutputKind);

        float[] image = TestModels.RandomImages(2, 3, 4, seed: 7);
        var scores = new float[2 * 4 * 3 * 4];
        model.Run(image, 2, 3, 4, scores);
        float[] expected = Array.ConvertAll(TestModels.ConvHeadReference(image, 2, 3, 4), v => (float)(1 / (1 + Math.Exp(-v))));
        AssertClose(expected, scores, 1e-5);
    }

    [TestMethod]
    public void SoftmaxHeadIsProbabilitiesAndMatches()
    {
        using var model = SegmentationModel.Load(TestModels.SoftmaxHead());
        Assert.AreEqual(SegmentationOutputKind.Probabilities, model.OutputKind);

        float[] image = TestModels.RandomImages(2, 6, 5, seed: 3);
        var scores = new float[2 * 4 * 6 * 5];
        model.Run(image, 2, 6, 5, scores);
        float[] logits = TestModels.ConvHeadReference(image, 2, 6, 5);
        var shape = new SegmentationShape(2, 4, 6, 5);
        for (int n = 0; n < 2; n++)
        {
            for (int p = 0; p < shape.PixelsPerImage; p++)
            {
                double sum = 0;
                for (int c = 0; c < 4; c++)
                {
                    sum += Math.Exp(logits[(((n * 4) + c) * 30) + p]);
                }

                for (int c = 0; c < 4; c++)
                {
                    int i = (((n * 4) + c) * 30) + p;
                    Assert.AreEqual(Math.Exp(logits[i]) / sum, scores[i], 1e-6);
                }
            }
        }
    }

    [TestMethod]
    public void OutputKindOptionOverridesDetection()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { OutputKind = SegmentationOutputKind.Probabilities });
        Assert.AreEqual(SegmentationOutputKind.Probabilities, model.OutputKind);
        Assert.ThrowsExactly<ArgumentException>(
            () => SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { OutputKind = SegmentationOutputKind.Mask }));
    }

    [TestMethod]
    public void ArgmaxModelIsMaskAndMatchesArgmax()
    {
        using var model = SegmentationModel.Load(TestModels.ArgmaxMask());
        Assert.AreEqual(SegmentationOutputKind.Mask, model.OutputKind);
        Assert.AreEqual("mask", model.OutputName);
        Assert.AreEqual(1, model.OutputChannels);

        float[] image = TestModels.RandomImages(3, 5, 6, seed: 11);
        var labels = new int[3 * 5 * 6];
        SegmentationShape shape = model.RunMask(image, 3, 5, 6, labels);
        Assert.AreEqual(new SegmentationShape(3, 1, 5, 6), shape);
        CollectionAssert.AreEqual(ArgmaxReference(TestModels.ConvHeadReference(image, 3, 5, 6), 3, 4, 30), labels);

        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => model.Run(image, 3, 5, 6, new float[3 * 4 * 30]));
        StringAssert.Contains(ex.Message, "RunMask");
    }

    [TestMethod]
    public void RunMaskOnScoresTakesArgmaxOrThreshold()
    {
        float[] image = TestModels.RandomImages(2, 4, 5, seed: 5);
        using (var logits = SegmentationModel.Load(TestModels.ConvHead()))
        {
            var labels = new int[40];
            logits.RunMask(image, 2, 4, 5, labels);
            CollectionAssert.AreEqual(ArgmaxReference(TestModels.ConvHeadReference(image, 2, 4, 5), 2, 4, 20), labels);
        }

        using var binary = SegmentationModel.Load(TestModels.BinarySigmoid());
        Assert.AreEqual(SegmentationOutputKind.Probabilities, binary.OutputKind);
        Assert.AreEqual(1, binary.OutputChannels);
        var foreground = new int[40];
        binary.RunMask(image, 2, 4, 5, foreground);
        int[] expected = Array.ConvertAll(TestModels.BinaryReference(image, 2, 4, 5), p => p > 0.5f ? 1 : 0);
        CollectionAssert.AreEqual(expected, foreground);
    }

    [TestMethod]
    public void Stride4OutputIsSmallerUnlessUpsampled()
    {
        const int n = 2, h = 16, w = 12;
        float[] image = TestModels.RandomImages(n, h, w, seed: 21);
        float[] pooled = AveragePool4(image, n, h, w);
        float[] coarse = TestModels.ConvHeadReference(pooled, n, h / 4, w / 4);

        using (var model = SegmentationModel.Load(TestModels.Stride4Head(), new OnnxSessionOptions { UpsampleToInput = false }))
        {
            Assert.AreEqual("[N,4,h4,w4]", model.OutputLayout);
            var scores = new float[n * 4 * h * w];
            SegmentationShape shape = model.Run(image, n, h, w, scores);
            Assert.AreEqual(new SegmentationShape(n, 4, h / 4, w / 4), shape);
            AssertClose(coarse, scores.AsSpan(0, shape.ElementCount).ToArray(), 1e-5);
        }

        using (var model = SegmentationModel.Load(TestModels.Stride4Head(), new OnnxSessionOptions { UpsampleToInput = true }))
        {
            var scores = new float[n * 4 * h * w];
            SegmentationShape shape = model.Run(image, n, h, w, scores);
            Assert.AreEqual(new SegmentationShape(n, 4, h, w), shape);
            double[] expected = BilinearResizeTests.Reference(coarse, n * 4, h / 4, w / 4, h, w);
            for (int i = 0; i < scores.Length; i++)
            {
                Assert.AreEqual(expected[i], scores[i], 1e-5, $"element {i}");
            }

            var labels = new int[n * h * w];
            Assert.AreEqual(new SegmentationShape(n, 1, h, w), model.RunMask(image, n, h, w, labels));
        }
    }

    [TestMethod]
    public void LoadsFromPathAndStream()
    {
        string path = Path.Combine(Path.GetTempPath(), $"segml-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, TestModels.SoftmaxHead());
        try
        {
            using (var fromPath = SegmentationModel.Load(path))
            {
                Assert.AreEqual(path, fromPath.ModelName);
                Assert.AreEqual(SegmentationOutputKind.Probabilities, fromPath.OutputKind);
            }

            using var stream = File.OpenRead(path);
            using var fromStream = SegmentationModel.Load(stream);
            Assert.AreEqual("<stream>", fromStream.ModelName);
            Assert.AreEqual(SegmentationOutputKind.Probabilities, fromStream.OutputKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MissingAndCorruptFilesNameTheFile()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"segml-missing-{Guid.NewGuid():N}.onnx");
        var notFound = Assert.ThrowsExactly<FileNotFoundException>(() => SegmentationModel.Load(missing));
        StringAssert.Contains(notFound.Message, missing);

        string corrupt = Path.Combine(Path.GetTempPath(), $"segml-corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8]);
        try
        {
            var bad = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(corrupt));
            StringAssert.Contains(bad.Message, corrupt);
            StringAssert.Contains(bad.Message, "is not an ONNX model");
        }
        finally
        {
            File.Delete(corrupt);
        }
    }

    [TestMethod]
    public void WrongInputRankIsRejectedWithTheModelsShapes()
    {
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModel.Load(TestModels.WrongInputRank(), modelName: "rank3.onnx"));
        StringAssert.Contains(ex.Message, "rank3.onnx");
        StringAssert.Contains(ex.Message, "no rank-4 float input");
        StringAssert.Contains(ex.Message, "'signal' Float [N,3,L]");
    }

    [TestMethod]
    public void OutputThatMatchesNothingIsRejected()
    {
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModel.Load(TestModels.FlatOutput(), modelName: "flat.onnx"));
        StringAssert.Contains(ex.Message, "flat.onnx");
        StringAssert.Contains(ex.Message, "'flat' Float [N,F]");
    }

    [TestMethod]
    public void UnknownNamesAndWrongChannelsAreRejected()
    {
        var input = Assert.ThrowsExactly<ArgumentException>(
            () => SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { InputName = "pixels" }, "head.onnx"));
        StringAssert.Contains(input.Message, "'pixels'");
        StringAssert.Contains(input.Message, "'image' Float [N,3,H,W]");

        var output = Assert.ThrowsExactly<ArgumentException>(
            () => SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { OutputName = "scores" }, "head.onnx"));
        StringAssert.Contains(output.Message, "'scores'");
        StringAssert.Contains(output.Message, "'logits' Float [N,4,H,W]");

        var channels = Assert.ThrowsExactly<ArgumentException>(
            () => SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { InputChannels = 1 }, "head.onnx"));
        StringAssert.Contains(channels.Message, "3 channels");
    }

    [TestMethod]
    public void FixedSizeModelRejectsOtherSizes()
    {
        using var model = SegmentationModel.Load(TestModels.FixedSizeHead(), modelName: "fixed.onnx");
        Assert.AreEqual("[1,3,8,8]", model.InputLayout);
        float[] image = TestModels.RandomImages(1, 8, 8, seed: 4);
        var scores = new float[4 * 64];
        model.Run(image, 1, 8, 8, scores);
        AssertClose(TestModels.ConvHeadReference(image, 1, 8, 8), scores, 1e-5);

        var size = Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[3 * 72], 1, 9, 8, new float[4 * 72]));
        StringAssert.Contains(size.Message, "fixed.onnx");
        StringAssert.Contains(size.Message, "[1,3,8,8]");
        Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[2 * 3 * 64], 2, 8, 8, new float[2 * 4 * 64]));
    }

    [TestMethod]
    public void GraphReaderToleratesGarbage()
    {
        using var garbage = new MemoryStream([0xFF, 0xFF, 0xFF, 0x0A, 0x7F, 0x01]);
        Assert.AreEqual(0, OnnxGraphReader.ReadNodes(garbage).Count);
        using var model = new MemoryStream(TestModels.SoftmaxHead());
        CollectionAssert.AreEqual(new[] { "Conv", "Softmax", "Identity" }, OnnxGraphReader.ReadNodes(model).Select(n => n.OpType).ToArray());
    }

    [TestMethod]
    public void RunValidatesLengths()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead());
        Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[3 * 4 * 4 - 1], 1, 4, 4, new float[4 * 16]));
        var small = Assert.ThrowsExactly<ArgumentException>(() => model.Run(new float[3 * 16], 1, 4, 4, new float[10]));
        StringAssert.Contains(small.Message, "64");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Run(ReadOnlySpan<float>.Empty, 0, 4, 4, new float[64]));
    }

    [TestMethod]
    public void DisposeIsIdempotentAndRunAfterwardsThrows()
    {
        var model = SegmentationModel.Load(TestModels.ConvHead());
        model.Dispose();
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Run(new float[3], 1, 1, 1, new float[4]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.RunMask(new float[3], 1, 1, 1, new int[1]));
    }

    [TestMethod]
    public void ConcurrentRunsAgree()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead());
        float[] image = TestModels.RandomImages(2, 8, 8, seed: 99);
        float[] expected = TestModels.ConvHeadReference(image, 2, 8, 8);
        Parallel.For(0, 8, _ =>
        {
            var scores = new float[expected.Length];
            model.Run(image, 2, 8, 8, scores);
            AssertClose(expected, scores, 1e-5);
        });
    }

    internal static int[] ArgmaxReference(float[] scores, int batch, int classes, int plane)
    {
        var labels = new int[batch * plane];
        for (int n = 0; n < batch; n++)
        {
            for (int p = 0; p < plane; p++)
            {
                int best = 0;
                for (int c = 1; c < classes; c++)
                {
                    if (scores[(((n * classes) + c) * plane) + p] > scores[(((n * classes) + best) * plane) + p])
                    {
                        best = c;
                    }
                }

                labels[(n * plane) + p] = best;
            }
        }

        return labels;
    }

    private static float[] AveragePool4(float[] image, int batch, int height, int width)
    {
        int h4 = height / 4, w4 = width / 4;
        var pooled = new float[batch * 3 * h4 * w4];
        for (int plane = 0; plane < batch * 3; plane++)
        {
            for (int y = 0; y < h4; y++)
            {
                for (int x = 0; x < w4; x++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < 4; dy++)
                    {
                        for (int dx = 0; dx < 4; dx++)
                        {
                            sum += image[(plane * height * width) + (((y * 4) + dy) * width) + (x * 4) + dx];
                        }
                    }

                    pooled[(plane * h4 * w4) + (y * w4) + x] = (float)(sum / 16);
                }
            }
        }

        return pooled;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.AreEqual(expected.Length, actual.Length, "length");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"element {i}");
        }
    }
}
