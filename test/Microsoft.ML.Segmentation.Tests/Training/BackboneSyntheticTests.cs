using Google.Protobuf;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Tests.Graph;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// The backbone edits on <see cref="SyntheticResNet"/>, compared with plain ONNX Runtime running the unedited graph
/// (built for the same size) with the preprocessing done by hand.
/// </summary>
[TestClass]
public sealed class BackboneSyntheticTests
{
    private static readonly string[] StageNames = ["ReLU283_Output_0", "ReLU315_Output_0", "ReLU347_Output_0"];

    [TestMethod]
    [DataRow(32, 32)]
    [DataRow(48, 64)]
    public void ResNet18RecipeMatchesTheOriginalGraphWithHandPreprocessing(int height, int width)
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);

        float[] rgb = RgbImages(1, height, width, seed: 3);
        FeatureMaps maps = backbone.Extract(rgb, height, width);
        Dictionary<string, GraphRunner.Output> reference = GraphRunner.Run(
            SyntheticResNet.WithOutputs(SyntheticResNet.Build(height, width), StageNames),
            ("Input247", ToBgrMinusMean(rgb, 1, height, width), [1, 3, height, width]));

        Assert.AreEqual(3, maps.Maps.Count);
        for (int i = 0; i < 3; i++)
        {
            GraphRunner.Output expected = reference[StageNames[i]];
            FeatureMap map = maps.Maps[i];
            CollectionAssert.AreEqual(expected.Shape, new long[] { 1, map.Channels, map.Height, map.Width }, StageNames[i]);
            Assert.AreEqual(4 << i, map.Stride);
            AssertClose(expected.Floats!, map.Data, StageNames[i]);
        }
    }

    [TestMethod]
    public void ResNet18RecipeLeavesAPrunedDynamicOpset8Graph()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path, strides: [8, 16]);

        ModelProto model = ModelProto.Parser.ParseFrom(backbone.GetModelBytes());
        GraphProto graph = model.Graph;
        Assert.AreEqual(8, model.OpsetImport.Single(o => o.Domain == string.Empty).Version);
        CollectionAssert.AreEqual(new[] { "ReLU315_Output_0", "ReLU347_Output_0" }, graph.Output.Select(o => o.Name).ToArray());
        Assert.AreEqual(0, graph.ValueInfo.Count);
        Assert.AreEqual("image", graph.Input.Single().Name);
        CollectionAssert.AreEqual(new[] { "N", string.Empty, "H", "W" }, graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimParam).ToArray());
        Assert.AreEqual(3, graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);

        // Every node feeds an output, every weight feeds a node.
        var used = new HashSet<string>(graph.Output.Select(o => o.Name));
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            Assert.IsTrue(graph.Node[i].Output.Any(used.Contains), $"node {graph.Node[i].Name} is unused");
            used.UnionWith(graph.Node[i].Input);
        }

        Assert.IsTrue(graph.Initializer.All(t => used.Contains(t.Name)), "an initializer is unused");
        Assert.IsFalse(graph.Node.Any(n => n.OpType == "AveragePool" || n.Output.Contains("ReLU393_Output_0")), "layer4 or the pooling survived");
        Assert.AreEqual(16, backbone.SizeMultiple);
        CollectionAssert.AreEqual(new[] { new FeatureMapInfo("ReLU315_Output_0", 6, 8), new FeatureMapInfo("ReLU347_Output_0", 8, 16) }, backbone.Features.ToArray());

        ImageTensorOptions images = backbone.ImageOptions;
        Assert.AreEqual((ChannelOrder.Rgb, false, ImageResizeMode.PadToMultiple, 16), (images.ChannelOrder, images.ScaleToUnit, images.ResizeMode, images.SizeMultiple));
        Assert.IsNull(images.Mean);
        Assert.IsNull(images.Std);
        ImageTensorOptions stretched = backbone.ImageOptionsForSize(64, 96);
        Assert.AreEqual((ImageResizeMode.Stretch, 64, 96), (stretched.ResizeMode, stretched.Height, stretched.Width));
    }

    [TestMethod]
    public void SizesThatAreNotMultiplesOf16AreRejected()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => backbone.Extract(new float[3 * 40 * 32], 40, 32));
        Assert.AreEqual("height", e.ParamName);
        StringAssert.Contains(e.Message, "multiples of 16");
        Assert.AreEqual("width", Assert.ThrowsExactly<ArgumentException>(() => backbone.Extract(new float[3 * 32 * 24], 32, 24)).ParamName);
        Assert.AreEqual("images", Assert.ThrowsExactly<ArgumentException>(() => backbone.Extract(new float[5], 32, 32)).ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => backbone.ImageOptionsForSize(30, 32));
        Assert.AreEqual("strides", Assert.ThrowsExactly<ArgumentException>(() => FeatureBackbone.ResNet18(path, [2])).ParamName);
    }

    [TestMethod]
    public void ABatchEqualsOneImageAtATime()
    {
        using var folder = new TempDirectory();
        string path = folder.File("ResNet18.onnx");
        File.WriteAllBytes(path, SyntheticResNet.Build(32, 32).ToByteArray());
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);

        const int Batch = 3, H = 32, W = 48;
        float[] images = RgbImages(Batch, H, W, seed: 5);
        FeatureMaps[] batch = backbone.ExtractBatch(images, Batch, H, W);
        Assert.AreEqual(Batch, batch.Length);
        for (int n = 0; n < Batch; n++)
        {
            FeatureMaps single = backbone.Extract(images.AsSpan(n * 3 * H * W, 3 * H * W), H, W);
            for (int m = 0; m < single.Maps.Count; m++)
            {
                AssertClose(single.Maps[m].Data, batch[n].Maps[m].Data, $"image {n} map {m}");
            }
        }
    }

    [TestMethod]
    public void AnyGraphLoadsWithInferredStridesAndChannels()
    {
        ModelProto original = SyntheticResNet.Build(32, 32);
        var options = new BackboneOptions
        {
            // Out of order on purpose: the backbone sorts them finest first.
            Features = [new BackboneFeature("ReLU347_Output_0"), new BackboneFeature("ReLU283_Output_0")],
            ImageOptions = new ImageTensorOptions { ChannelOrder = ChannelOrder.Bgr, ScaleToUnit = false },
        };
        using FeatureBackbone backbone = FeatureBackbone.Load(original.ToByteArray(), options);

        CollectionAssert.AreEqual(new[] { new FeatureMapInfo("ReLU283_Output_0", 4, 4), new FeatureMapInfo("ReLU347_Output_0", 8, 16) }, backbone.Features.ToArray());
        Assert.AreEqual(16, backbone.SizeMultiple);
        Assert.AreEqual("Input247", backbone.InputName);
        Assert.AreEqual(ChannelOrder.Bgr, backbone.ImageOptions.ChannelOrder);

        // No folding here: the same tensor goes to both graphs.
        float[] image = RgbImages(1, 48, 32, seed: 9);
        FeatureMaps maps = backbone.Extract(image, 48, 32);
        Dictionary<string, GraphRunner.Output> reference = GraphRunner.Run(
            SyntheticResNet.WithOutputs(SyntheticResNet.Build(48, 32), "ReLU283_Output_0", "ReLU347_Output_0"), ("Input247", image, [1, 3, 48, 32]));
        AssertClose(reference["ReLU283_Output_0"].Floats!, maps.Maps[0].Data, "stride 4");
        AssertClose(reference["ReLU347_Output_0"].Floats!, maps.Maps[1].Data, "stride 16");

        Assert.AreEqual("model", Assert.ThrowsExactly<ArgumentException>(() => FeatureBackbone.Load(original.ToByteArray(), new BackboneOptions { Features = [new BackboneFeature("nope")] })).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentException>(() => FeatureBackbone.Load(original.ToByteArray(), new BackboneOptions())).ParamName);
    }

    /// <summary>Within 1e-5 of the reference's largest magnitude: ONNX Runtime picks other kernels for fixed and symbolic shapes.</summary>
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float scale = Math.Max(1f, expected.Max(Math.Abs));
        float diff = MaxAbsDiff(expected, actual);
        Assert.IsTrue(diff <= 1e-5f * scale, $"{what}: max abs diff {diff} at magnitude {scale}");
    }
}
