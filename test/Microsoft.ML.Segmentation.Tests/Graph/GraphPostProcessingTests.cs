using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Onnx;

namespace Microsoft.ML.Segmentation.Tests.Graph;

/// <summary>
/// Post-processing appended to ONNX graphs, run in plain ONNX Runtime and compared with SegML's managed kernels
/// (MaskPrediction, ActivationKernels, BilinearResize, ConfusionMatrix) applied to the unedited model's scores.
/// </summary>
[TestClass]
public sealed class GraphPostProcessingTests
{
    private const int K = TestModels.Classes;

    [TestMethod]
    [DataRow(OnnxMaskElementType.Int64)]
    [DataRow(OnnxMaskElementType.UInt8)]
    public void ArgMaxMaskEqualsManagedArgmax(OnnxMaskElementType type)
    {
        byte[] model = GraphTestModels.ConvHead(13);
        float[] images = TestModels.RandomImages(2, 7, 9, seed: 3);
        (float[] scores, _) = GraphRunner.Scores(model, "image", images, 2, 7, 9);
        var expected = new int[2 * 7 * 9];
        MaskPrediction.Argmax<float>(scores, new SegmentationShape(2, K, 7, 9), expected);

        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ArgMax = true, MaskElementType = type });
        var outputs = GraphRunner.Run(edited, ("image", images, [2, 3, 7, 9]));
        Assert.IsFalse(outputs.ContainsKey("logits"), "the raw scores leave the outputs");
        GraphRunner.Output mask = outputs["mask"];
        CollectionAssert.AreEqual(new long[] { 2, 7, 9 }, mask.Shape);
        Assert.AreEqual(type == OnnxMaskElementType.UInt8 ? TensorElementType.UInt8 : TensorElementType.Int64, mask.Type);
        int[] actual = type == OnnxMaskElementType.UInt8 ? mask.Bytes!.Select(b => (int)b).ToArray() : mask.Longs!.Select(l => (int)l).ToArray();
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    [DataRow(13L)]
    [DataRow(11L)]
    public void SoftmaxAndSigmoidMatchManagedKernels(long opset)
    {
        byte[] model = GraphTestModels.ConvHead(opset);
        float[] images = TestModels.RandomImages(2, 5, 6, seed: 4);
        (float[] scores, _) = GraphRunner.Scores(model, "image", images, 2, 5, 6);
        var shape = new SegmentationShape(2, K, 5, 6);
        foreach (Activation activation in new[] { Activation.Softmax, Activation.Sigmoid })
        {
            var expected = new float[scores.Length];
            ActivationKernels.Apply<float>(activation, scores, shape, expected);
            byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { Activation = activation });
            GraphRunner.Output output = GraphRunner.Run(edited, ("image", images, [2, 3, 5, 6]))["scores"];
            CollectionAssert.AreEqual(new long[] { 2, K, 5, 6 }, output.Shape);
            AssertClose(expected, output.Floats!, 1e-6, $"{activation} at opset {opset}");
        }
    }

    [TestMethod]
    [DataRow(13, 17, 13L)]
    [DataRow(9, 22, 13L)]
    [DataRow(4, 4, 13L)]
    [DataRow(23, 11, 11L)]
    public void ResizeUpMatchesBilinearResize(int height, int width, long opset)
    {
        byte[] model = GraphTestModels.Stride4Head(opset);
        float[] images = TestModels.RandomImages(1, height, width, seed: height * width);
        (float[] scores, long[] raw) = GraphRunner.Scores(model, "image", images, 1, height, width);
        var expected = new float[K * height * width];
        BilinearResize.Resize(scores, K, (int)raw[2], (int)raw[3], height, width, expected);
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ResizeToInput = true });
        GraphRunner.Output output = GraphRunner.Run(edited, ("image", images, [1, 3, height, width]))["scores"];
        CollectionAssert.AreEqual(new long[] { 1, K, height, width }, output.Shape);
        AssertClose(expected, output.Floats!, 1e-5, $"{raw[2]}x{raw[3]} -> {height}x{width}");
    }

    [TestMethod]
    [DataRow(5, 7, 2, 3)]
    [DataRow(3, 4, 3, 2)]
    [DataRow(6, 5, 2, 2)]
    public void ResizeDownMatchesBilinearResize(int height, int width, int rowRepeats, int columnRepeats)
    {
        byte[] model = GraphTestModels.TiledHead(rowRepeats, columnRepeats);
        float[] images = TestModels.RandomImages(2, height, width, seed: 11);
        (float[] scores, long[] raw) = GraphRunner.Scores(model, "image", images, 2, height, width);
        Assert.AreEqual(height * rowRepeats, raw[2]);
        var expected = new float[2 * K * height * width];
        BilinearResize.Resize(scores, 2 * K, (int)raw[2], (int)raw[3], height, width, expected);
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ResizeToInput = true });
        GraphRunner.Output output = GraphRunner.Run(edited, ("image", images, [2, 3, height, width]))["scores"];
        AssertClose(expected, output.Floats!, 1e-5, $"{raw[2]}x{raw[3]} -> {height}x{width}");
    }

    [TestMethod]
    public void ConfusionCountsEqualConfusionMatrixWithIgnoredLabels()
    {
        byte[] model = GraphTestModels.ConvHead(13);
        const int Batch = 3, H = 6, W = 8;
        float[] images = TestModels.RandomImages(Batch, H, W, seed: 5);
        (float[] scores, _) = GraphRunner.Scores(model, "image", images, Batch, H, W);
        var predicted = new int[Batch * H * W];
        MaskPrediction.Argmax<float>(scores, new SegmentationShape(Batch, K, H, W), predicted);
        long[] labels = RandomLabels(Batch * H * W, K, seed: 6);

        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ArgMax = true, ConfusionCounts = true });
        Assert.AreEqual(16, OpsetOf(edited), "ScatterElements with reduction needs opset 16");
        var outputs = GraphRunner.Run(edited, ("image", images, [Batch, 3, H, W]), ("labels", labels, [Batch, H, W]));
        GraphRunner.Output counts = outputs["confusion"];
        CollectionAssert.AreEqual(new long[] { Batch, K, K }, counts.Shape);
        CollectionAssert.AreEqual(predicted.Select(p => (long)p).ToArray(), outputs["mask"].Longs);
        AssertCountsMatch(counts.Longs!, predicted, labels, Batch, K);
    }

    [TestMethod]
    public void ConfusionCountsAfterResizeMatchManagedUpsampledArgmax()
    {
        byte[] model = GraphTestModels.Stride4Head(13);
        const int H = 17, W = 21;
        float[] images = TestModels.RandomImages(2, H, W, seed: 8);
        (float[] scores, long[] raw) = GraphRunner.Scores(model, "image", images, 2, H, W);
        var upsampled = new float[2 * K * H * W];
        BilinearResize.Resize(scores, 2 * K, (int)raw[2], (int)raw[3], H, W, upsampled);
        long[] labels = RandomLabels(2 * H * W, K, seed: 9);
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ResizeToInput = true, ArgMax = true, ConfusionCounts = true });
        var outputs = GraphRunner.Run(edited, ("image", images, [2, 3, H, W]), ("labels", labels, [2, H, W]));
        int[] graphMask = outputs["mask"].Longs!.Select(l => (int)l).ToArray();

        // ONNX Runtime's Resize and the managed one agree to ~1e-6; only pixels whose two best classes are closer than
        // that may differ, and none should here.
        var managed = new int[2 * H * W];
        MaskPrediction.Argmax<float>(upsampled, new SegmentationShape(2, K, H, W), managed);
        int differing = Enumerable.Range(0, managed.Length).Count(i => managed[i] != graphMask[i] && !NearTie(upsampled, i, H * W, K));
        Assert.AreEqual(0, differing);
        AssertCountsMatch(outputs["confusion"].Longs!, graphMask, labels, 2, K);
    }

    [TestMethod]
    public void OneChannelThresholdMatchesManagedThreshold()
    {
        float[] images = TestModels.RandomImages(2, 9, 5, seed: 12);
        long[] labels = RandomLabels(2 * 9 * 5, 2, seed: 13);

        // Probabilities (the model ends in Sigmoid): threshold 0.5.
        byte[] probabilities = TestModels.BinarySigmoid();
        (float[] p, _) = GraphRunner.Scores(probabilities, "image", images, 2, 9, 5);
        var expected = new int[p.Length];
        MaskPrediction.Threshold<float>(p, 0.5f, expected);
        var outputs = GraphRunner.Run(
            OnnxGraphEditor.AppendPostProcessing(probabilities, new OnnxPostProcessingOptions { ArgMax = true, ConfusionCounts = true }),
            ("image", images, [2, 3, 9, 5]), ("labels", labels, [2, 9, 5]));
        CollectionAssert.AreEqual(expected.Select(v => (long)v).ToArray(), outputs["mask"].Longs);
        CollectionAssert.AreEqual(new long[] { 2, 2, 2 }, outputs["confusion"].Shape);
        AssertCountsMatch(outputs["confusion"].Longs!, expected, labels, 2, 2);

        // Logits: threshold 0.7 on probabilities is ln(0.7/0.3) on logits; and with Sigmoid in the graph, 0.7 itself.
        byte[] logits = GraphTestModels.BinaryLogits();
        (float[] z, _) = GraphRunner.Scores(logits, "image", images, 2, 9, 5);
        var sigmoid = new float[z.Length];
        ActivationKernels.Apply<float>(Activation.Sigmoid, z, new SegmentationShape(2, 1, 9, 5), sigmoid);
        var fromProbabilities = new int[z.Length];
        MaskPrediction.Threshold<float>(sigmoid, 0.7f, fromProbabilities);
        var fromLogits = new int[z.Length];
        MaskPrediction.Threshold<float>(z, (float)Math.Log(0.7 / 0.3), fromLogits);
        long[] onLogits = GraphRunner.Run(OnnxGraphEditor.AppendPostProcessing(logits, new OnnxPostProcessingOptions { ArgMax = true, Threshold = 0.7f }), ("image", images, [2, 3, 9, 5]))["mask"].Longs!;
        long[] onSigmoid = GraphRunner.Run(OnnxGraphEditor.AppendPostProcessing(logits, new OnnxPostProcessingOptions { ArgMax = true, Threshold = 0.7f, Activation = Activation.Sigmoid }), ("image", images, [2, 3, 9, 5]))["mask"].Longs!;
        CollectionAssert.AreEqual(fromLogits.Select(v => (long)v).ToArray(), onLogits);
        CollectionAssert.AreEqual(fromProbabilities.Select(v => (long)v).ToArray(), onSigmoid);
    }

    [TestMethod]
    public void LrasppFixtureMatchesManagedPostProcessing()
    {
        string dir = Support.SharedData.RequireDirectory("fixtures/scenes-lraspp");
        byte[] model = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions
        {
            Activation = Activation.Softmax, ResizeToInput = true, ArgMax = true, KeepScores = true, ConfusionCounts = true, MaskElementType = OnnxMaskElementType.UInt8,
        });
        Assert.AreEqual(16, OpsetOf(edited));
        using SegmentationModel reference = SegmentationModel.Load(model, new OnnxSessionOptions { UpsampleToInput = true });
        foreach (string path in Directory.GetFiles(Path.Combine(dir, "images"), "*.png").Order().Take(6))
        {
            (float[] input, int height, int width) = FixtureImages.LoadNormalized(path);
            (int[] truth, _, _) = FixtureImages.LoadGray(Path.Combine(dir, "masks", Path.GetFileName(path)));
            var scores = new float[5 * height * width];
            SegmentationShape shape = reference.Run(input, 1, height, width, scores);
            var expectedMask = new int[height * width];
            MaskPrediction.Argmax<float>(scores, shape, expectedMask);
            var softmax = new float[scores.Length];
            ActivationKernels.Softmax<float>(scores, shape, softmax);

            var outputs = GraphRunner.Run(edited, ("input", input, [1, 3, height, width]), ("labels", truth.Select(t => (long)t).ToArray(), [1, height, width]));
            int[] mask = outputs["mask"].Bytes!.Select(b => (int)b).ToArray();
            int differing = Enumerable.Range(0, mask.Length).Count(i => mask[i] != expectedMask[i] && !NearTie(scores, i, height * width, 5));
            Assert.AreEqual(0, differing, Path.GetFileName(path));
            AssertClose(softmax, outputs["scores"].Floats!, 1e-5, Path.GetFileName(path));
            AssertCountsMatch(outputs["confusion"].Longs!, mask, truth.Select(t => (long)t).ToArray(), 1, 5);
        }
    }

    [TestMethod]
    public void OpsetsAreRaisedOrRefusedAsDocumented()
    {
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(GraphTestModels.ConvHead(13), new OnnxPostProcessingOptions { ConfusionCounts = true });
        ModelProto proto = ModelProto.Parser.ParseFrom(edited);
        Assert.AreEqual(16, proto.OpsetImport.Single(o => o.Domain == string.Empty).Version);
        Assert.IsTrue(proto.IrVersion >= 8);
        CollectionAssert.AreEqual(new[] { "scores", "confusion" }, proto.Graph.Output.Select(o => o.Name).ToArray(), "without ArgMax the scores stay, renamed");

        // Opset 16 models stay at 16; opset 11 works for everything but the counts.
        Assert.AreEqual(17, OpsetOf(OnnxGraphEditor.AppendPostProcessing(Reopset(GraphTestModels.ConvHead(13), 17), new OnnxPostProcessingOptions { ConfusionCounts = true })));
        Assert.AreEqual(11, OpsetOf(OnnxGraphEditor.AppendPostProcessing(GraphTestModels.ConvHead(11), new OnnxPostProcessingOptions { ArgMax = true, Activation = Activation.Softmax, KeepScores = true })));
        var e = Assert.ThrowsExactly<NotSupportedException>(() => OnnxGraphEditor.AppendPostProcessing(GraphTestModels.ConvHead(11), new OnnxPostProcessingOptions { ConfusionCounts = true }));
        StringAssert.Contains(e.Message, "opset 11");
        Assert.ThrowsExactly<NotSupportedException>(() => OnnxGraphEditor.AppendPostProcessing(GraphTestModels.ConvHead(10), new OnnxPostProcessingOptions { ArgMax = true }));

        // The raised model still computes what the original did.
        float[] images = TestModels.RandomImages(1, 4, 4, seed: 1);
        (float[] scores, _) = GraphRunner.Scores(GraphTestModels.ConvHead(13), "image", images, 1, 4, 4);
        var counts = GraphRunner.Run(edited, ("image", images, [1, 3, 4, 4]), ("labels", new long[16], [1, 4, 4]))["confusion"].Longs!;
        var predicted = new int[16];
        MaskPrediction.Argmax<float>(scores, new SegmentationShape(1, K, 4, 4), predicted);
        AssertCountsMatch(counts, predicted, new long[16], 1, K);
    }

    [TestMethod]
    public void NewNamesNeverCollide()
    {
        byte[] model = GraphTestModels.ConvHeadWithEditorNames();
        byte[] edited = OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { Activation = Activation.Softmax, ResizeToInput = true, ArgMax = true, KeepScores = true, ConfusionCounts = true });
        ModelProto proto = ModelProto.Parser.ParseFrom(edited);
        string[] produced = proto.Graph.Node.SelectMany(n => n.Output).Concat(proto.Graph.Initializer.Select(t => t.Name)).Concat(proto.Graph.Input.Select(i => i.Name)).ToArray();
        Assert.AreEqual(produced.Length, produced.Distinct().Count(), "every tensor is defined once");
        string[] nodeNames = proto.Graph.Node.Select(n => n.Name).ToArray();
        Assert.AreEqual(nodeNames.Length, nodeNames.Distinct().Count(), "node names are unique");

        float[] images = TestModels.RandomImages(1, 3, 5, seed: 2);
        var outputs = GraphRunner.Run(edited, ("image", images, [1, 3, 3, 5]), ("labels", new long[15], [1, 3, 5]));
        Assert.AreEqual(15, outputs["mask"].Longs!.Length);

        var e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ArgMax = true, MaskOutputName = "logits" }));
        Assert.AreEqual("options.MaskOutputName", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(model, new OnnxPostProcessingOptions { ConfusionCounts = true, LabelsInputName = "image" }));
        Assert.AreEqual("options.LabelsInputName", e.ParamName);
    }

    [TestMethod]
    public void BadOptionsAreReportedWithTheirName()
    {
        byte[] head = GraphTestModels.ConvHead(13);
        var e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(head, new OnnxPostProcessingOptions()));
        StringAssert.Contains(e.Message, "ask for nothing");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(TestModels.SoftmaxHead(), new OnnxPostProcessingOptions { Activation = Activation.Softmax, ArgMax = true }));
        StringAssert.Contains(e.Message, "already ends in Softmax or Sigmoid");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(TestModels.ArgmaxMask(), new OnnxPostProcessingOptions { ArgMax = true }));
        StringAssert.Contains(e.Message, "already post-processed");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(TestModels.ArgmaxMask(), new OnnxPostProcessingOptions { ArgMax = true, OutputName = "mask" }));
        StringAssert.Contains(e.Message, "Int64 [N,H,W]");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(GraphTestModels.BinaryLogits(), new OnnxPostProcessingOptions { Activation = Activation.Softmax }));
        StringAssert.Contains(e.Message, "Sigmoid");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing(head, new OnnxPostProcessingOptions { ArgMax = true, OutputName = "nope" }));
        Assert.AreEqual("options.OutputName", e.ParamName);
        var range = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxGraphEditor.AppendPostProcessing(head, new OnnxPostProcessingOptions { ArgMax = true, Threshold = 1f }));
        StringAssert.Contains(range.Message, "Threshold");
        e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.AppendPostProcessing([1, 2, 3, 4, 5], new OnnxPostProcessingOptions { ArgMax = true }));
        Assert.AreEqual("model", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentException>(() => SegmentationModel.Load(head, new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { ConfusionCounts = true } }));
        StringAssert.Contains(e.Message, "OnnxGraphEditor.AppendPostProcessing");
    }

    [TestMethod]
    public void SessionOptionsPostProcessingFlowsThroughRunMaskAndRun()
    {
        const int H = 13, W = 10;
        float[] images = TestModels.RandomImages(2, H, W, seed: 21);
        using SegmentationModel plain = SegmentationModel.Load(GraphTestModels.ConvHead(13));
        var expected = new int[2 * H * W];
        plain.RunMask(images, 2, H, W, expected);
        foreach (OnnxMaskElementType type in new[] { OnnxMaskElementType.Int64, OnnxMaskElementType.UInt8 })
        {
            using SegmentationModel edited = SegmentationModel.Load(GraphTestModels.ConvHead(13), new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { ArgMax = true, MaskElementType = type } });
            Assert.AreEqual(SegmentationOutputKind.Mask, edited.OutputKind);
            Assert.AreEqual("mask", edited.OutputName);
            var actual = new int[2 * H * W];
            SegmentationShape shape = edited.RunMask(images, 2, H, W, actual);
            Assert.AreEqual(new SegmentationShape(2, 1, H, W), shape);
            CollectionAssert.AreEqual(expected, actual, type.ToString());
        }

        using SegmentationModel softmax = SegmentationModel.Load(GraphTestModels.ConvHead(13), new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { Activation = Activation.Softmax } });
        Assert.AreEqual(SegmentationOutputKind.Probabilities, softmax.OutputKind);
        var raw = new float[2 * K * H * W];
        SegmentationShape scoresShape = plain.Run(images, 2, H, W, raw);
        var expectedProbabilities = new float[raw.Length];
        ActivationKernels.Softmax<float>(raw, scoresShape, expectedProbabilities);
        var probabilities = new float[raw.Length];
        softmax.Run(images, 2, H, W, probabilities);
        AssertClose(expectedProbabilities, probabilities, 1e-6, "softmax through SegmentationModel.Run");
    }

    [TestMethod]
    [DataRow(OnnxPixelType.Float, ChannelOrder.Rgb)]
    [DataRow(OnnxPixelType.UInt8, ChannelOrder.Bgr)]
    public void PrependedNormalizationEqualsNormalizingFirst(OnnxPixelType pixelType, ChannelOrder order)
    {
        const int H = 6, W = 7;
        var random = new Random(31);
        byte[] pixels = new byte[3 * H * W];
        random.NextBytes(pixels);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];

        // The normalised tensor, written out here: channel c of the model holds RGB channel c (or 2 − c for BGR).
        var normalized = new float[pixels.Length];
        for (int c = 0; c < 3; c++)
        {
            int rgb = order == ChannelOrder.Bgr ? 2 - c : c;
            for (int p = 0; p < H * W; p++)
            {
                normalized[(c * H * W) + p] = ((pixels[(rgb * H * W) + p] / 255f) - mean[rgb]) / std[rgb];
            }
        }

        byte[] model = GraphTestModels.ConvHead(13);
        (float[] expected, _) = GraphRunner.Scores(model, "image", normalized, 1, H, W);
        byte[] baked = OnnxGraphEditor.PrependNormalization(model, new OnnxInputNormalizationOptions { Mean = mean, Std = std, ChannelOrder = order, PixelType = pixelType });
        Array input = pixelType == OnnxPixelType.UInt8 ? pixels : pixels.Select(b => (float)b).ToArray();
        float[] actual = GraphRunner.Run(baked, ("image", input, [1, 3, H, W]))["logits"].Floats!;
        AssertClose(expected, actual, 1e-5, $"{pixelType} {order}");

        var e = Assert.ThrowsExactly<ArgumentException>(() => OnnxGraphEditor.PrependNormalization(model, new OnnxInputNormalizationOptions { Std = [1f, 0f, 1f] }));
        Assert.AreEqual("normalization", e.ParamName);
    }

    private static long[] RandomLabels(int count, int classes, int seed)
    {
        var random = new Random(seed);
        long[] labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int pick = random.Next(classes + 3);
            labels[i] = pick < classes ? pick : pick == classes ? -1 : pick == classes + 1 ? 255 : classes;
        }

        return labels;
    }

    /// <summary>Per image, the managed ConfusionMatrix of the prediction against the labels; every label outside [0,K) mapped to one ignore index.</summary>
    private static void AssertCountsMatch(long[] counts, int[] predicted, long[] labels, int batch, int classes)
    {
        int pixels = predicted.Length / batch;
        for (int n = 0; n < batch; n++)
        {
            const int Ignore = -1;
            int[] truth = labels.Skip(n * pixels).Take(pixels).Select(l => l >= 0 && l < classes ? (int)l : Ignore).ToArray();
            var matrix = new ConfusionMatrix(classes, Ignore);
            matrix.Add(predicted.AsSpan(n * pixels, pixels), truth);
            CollectionAssert.AreEqual(matrix.ToArray(), counts.Skip(n * classes * classes).Take(classes * classes).ToArray(), $"image {n}");
        }
    }

    /// <summary>Whether pixel <paramref name="index"/> of [N,K,H,W] scores has its two best classes within 1e-4.</summary>
    private static bool NearTie(float[] scores, int index, int plane, int classes)
    {
        int n = index / plane, p = index % plane;
        float[] values = Enumerable.Range(0, classes).Select(c => scores[(((n * classes) + c) * plane) + p]).OrderDescending().ToArray();
        return values[0] - values[1] < 1e-4f;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.IsTrue(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}: [{i}] {actual[i]} vs {expected[i]}");
        }
    }

    private static long OpsetOf(byte[] model) => ModelProto.Parser.ParseFrom(model).OpsetImport.Single(o => o.Domain == string.Empty).Version;

    private static byte[] Reopset(byte[] model, long opset)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(model);
        proto.OpsetImport.Single(o => o.Domain == string.Empty).Version = opset;
        return Google.Protobuf.MessageExtensions.ToByteArray(proto);
    }
}
