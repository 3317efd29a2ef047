using Google.Protobuf;
using Microsoft.ML.Segmentation.Tests.Graph;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// The exported backbone + head model, run in plain ONNX Runtime, against the in-process path
/// <c>head.Predict(backbone.Extract(image))</c>, and the opset raise against the backbone's own features.
/// </summary>
[TestClass]
public sealed class HeadExportTests
{
    [TestMethod]
    [DataRow(HeadArchitecture.Linear, 32, 32)]
    [DataRow(HeadArchitecture.Mlp, 48, 64)]
    [DataRow(HeadArchitecture.Mlp, 64, 32)]
    public void ExportedModelEqualsInProcessPredictionOnTheSyntheticResNet(HeadArchitecture architecture, int height, int width)
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        SegmentationHead head = RandomHead(backbone, architecture, classes: 3, seed: height + width);
        AssertExportMatches(backbone, head, height, width, batch: 2);
    }

    [TestMethod]
    public void ExportedMaskIsTheArgmaxOfTheInProcessScores()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path, strides: [8, 16]);
        SegmentationHead head = RandomHead(backbone, HeadArchitecture.Linear, classes: 4, seed: 5);
        const int H = 48, W = 32;
        float[] images = RgbImages(2, H, W, seed: 11);
        Dictionary<string, GraphRunner.Output> outputs = GraphRunner.Run(SegmentationHeadExport.ToOnnx(backbone, head, argMax: true), (backbone.InputName, images, [2, 3, H, W]));

        Assert.AreEqual(SegmentationHeadExport.MaskOutputName, outputs.Keys.Single());
        long[] mask = outputs[SegmentationHeadExport.MaskOutputName].Longs!;
        var scores = new float[4 * H * W];
        int decided = 0;
        for (int n = 0; n < 2; n++)
        {
            head.Predict(backbone.Extract(images.AsSpan(n * 3 * H * W, 3 * H * W), H, W), scores);
            for (int p = 0; p < H * W; p++)
            {
                float[] column = Enumerable.Range(0, 4).Select(k => scores[(k * H * W) + p]).ToArray();
                float[] sorted = column.OrderDescending().ToArray();
                if (sorted[0] - sorted[1] > 1e-3f)
                {
                    // Near-ties may fall either way between the two float paths.
                    Assert.AreEqual(Array.IndexOf(column, sorted[0]), mask[(n * H * W) + p], $"image {n} pixel {p}");
                    decided++;
                }
            }
        }

        Assert.IsGreaterThan(2 * H * W * 9 / 10, decided);
    }

    [TestMethod]
    public void RaisingTheOpsetLeavesTheBackboneFeaturesUnchanged()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        AssertRaisedFeaturesMatch(backbone, 48, 32);
    }

    [TestMethod]
    public void ExportRaisesAnOpset8BackboneTo13WithoutSpatial()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        ModelProto model = ModelProto.Parser.ParseFrom(SegmentationHeadExport.ToOnnx(backbone, RandomHead(backbone, HeadArchitecture.Linear, 2, 1)));

        Assert.AreEqual(13, model.OpsetImport.Single(o => o.Domain == string.Empty).Version);
        Assert.IsGreaterThanOrEqualTo(7L, model.IrVersion);
        Assert.IsFalse(model.Graph.Node.Any(n => n.Attribute.Any(a => a.Name == "spatial")));
        Assert.AreEqual(SegmentationHeadExport.ScoresOutputName, model.Graph.Output.Single().Name);
    }

    [TestMethod]
    public void OpsetRaiseRefusesOpsThatChangedAndNonSpatialBatchNormalization()
    {
        static ModelProto Opset8(NodeProto node)
        {
            GraphProto graph = Onnx.TestModels.NewGraph(Onnx.TestModels.ImageInput());
            graph.Node.Add(node);
            graph.Output.Add(Onnx.TestModels.FloatOutput("y", Onnx.TestModels.Dim("N"), Onnx.TestModels.Dim(3), Onnx.TestModels.Dim("H"), Onnx.TestModels.Dim("W")));
            var model = new ModelProto { IrVersion = 4, Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 8 });
            return model;
        }

        // Clip took min and max as attributes before opset 11 and as inputs after: raising would drop the bounds.
        NodeProto clip = Onnx.TestModels.Node("Clip", ["image"], ["y"]);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => Microsoft.ML.Segmentation.Onnx.OnnxOpsetRaiser.RaiseIfOld(Opset8(clip), "backbone"));
        StringAssert.Contains(error.Message, "Clip node");

        NodeProto bn = Onnx.TestModels.Node("BatchNormalization", ["image", "s", "b", "m", "v"], ["y"]);
        bn.Attribute.Add(new AttributeProto { Name = "spatial", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        error = Assert.ThrowsExactly<NotSupportedException>(() => Microsoft.ML.Segmentation.Onnx.OnnxOpsetRaiser.RaiseIfOld(Opset8(bn), "backbone"));
        StringAssert.Contains(error.Message, "spatial=0");

        // Opset 11 and later are left as they are.
        ModelProto recent = Opset8(Onnx.TestModels.Node("Relu", ["image"], ["y"]));
        recent.OpsetImport[0].Version = 12;
        Assert.AreEqual(12, Microsoft.ML.Segmentation.Onnx.OnnxOpsetRaiser.RaiseIfOld(recent, "backbone"));
        Assert.AreEqual(4, recent.IrVersion);
    }

    [TestMethod]
    public void ExportRefusesAHeadOfOtherChannels()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        var head = new SegmentationHead(new SegmentationHeadOptions { InputChannels = 5, Classes = 2 });
        ArgumentException error = Assert.ThrowsExactly<ArgumentException>(() => SegmentationHeadExport.ToOnnx(backbone, head));
        Assert.AreEqual("head", error.ParamName);
    }

    [TestMethod]
    [DataRow(64, 64)]
    [DataRow(96, 128)]
    public void ExportedModelEqualsInProcessPredictionOnResNet18(int height, int width)
    {
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(ResNet18Path);
        SegmentationHead head = RandomHead(backbone, HeadArchitecture.Mlp, classes: 3, seed: 2, hidden: 16);
        AssertRaisedFeaturesMatch(backbone, height, width);
        AssertExportMatches(backbone, head, height, width, batch: 2);
    }

    internal static SegmentationHead RandomHead(FeatureBackbone backbone, HeadArchitecture architecture, int classes, int seed, int hidden = 8)
    {
        var head = new SegmentationHead(new SegmentationHeadOptions
        {
            InputChannels = backbone.Features.Sum(f => f.Channels),
            Classes = classes,
            Architecture = architecture,
            HiddenChannels = hidden,
            Seed = seed,
        });

        // Non-zero biases too, so that every parameter reaches the exported graph in its place.
        var random = new Random(seed);
        head.SetParameters(head.GetParameters().Select(v => v + (float)((random.NextDouble() - 0.5) * 0.2)).ToArray());
        return head;
    }

    private static void AssertExportMatches(FeatureBackbone backbone, SegmentationHead head, int height, int width, int batch)
    {
        float[] images = RgbImages(batch, height, width, seed: height * width);
        Dictionary<string, GraphRunner.Output> outputs = GraphRunner.Run(SegmentationHeadExport.ToOnnx(backbone, head), (backbone.InputName, images, [batch, 3, height, width]));
        GraphRunner.Output scores = outputs[SegmentationHeadExport.ScoresOutputName];
        CollectionAssert.AreEqual(new long[] { batch, head.Classes, height, width }, scores.Shape);
        int size = head.Classes * height * width;
        var expected = new float[size];
        for (int n = 0; n < batch; n++)
        {
            head.Predict(backbone.Extract(images.AsSpan(n * 3 * height * width, 3 * height * width), height, width), expected);
            float scale = Math.Max(1, expected.Max(Math.Abs));
            float diff = MaxAbsDiff(expected, scores.Floats.AsSpan(n * size, size));
            Assert.IsLessThanOrEqualTo(1e-4f * scale, diff, $"image {n} of {height}x{width}: max |diff| {diff} (scale {scale})");
        }
    }

    private static void AssertRaisedFeaturesMatch(FeatureBackbone backbone, int height, int width)
    {
        ModelProto raised = ModelProto.Parser.ParseFrom(backbone.GetModelBytes());
        Assert.AreEqual(13, Microsoft.ML.Segmentation.Onnx.OnnxOpsetRaiser.RaiseIfOld(raised, "model"));
        float[] image = RgbImages(1, height, width, seed: 4);
        Dictionary<string, GraphRunner.Output> outputs = GraphRunner.Run(raised.ToByteArray(), (backbone.InputName, image, [1, 3, height, width]));
        FeatureMaps maps = backbone.Extract(image, height, width);
        for (int i = 0; i < backbone.Features.Count; i++)
        {
            float[] expected = maps.Maps[i].Data;
            float[] actual = outputs[backbone.Features[i].Name].Floats!;
            Assert.IsLessThanOrEqualTo(1e-6f * Math.Max(1, expected.Max(Math.Abs)), MaxAbsDiff(expected, actual), backbone.Features[i].Name);
        }
    }
}
