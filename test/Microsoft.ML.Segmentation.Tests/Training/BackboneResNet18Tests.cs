using Microsoft.ML.Segmentation.Tests.Graph;
using Microsoft.ML.Segmentation.Training;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Training.BackboneTestData;

namespace Microsoft.ML.Segmentation.Tests.Training;

/// <summary>
/// <see cref="FeatureBackbone.ResNet18"/> on the real ResNet18.onnx of Microsoft.ML.DnnImageFeaturizer.ResNet18
/// (skipped when the package is not restored), against the UNEDITED graph with its layer3 output exposed.
/// </summary>
[TestClass]
public sealed class BackboneResNet18Tests
{
    private const string Stride16 = "ReLU347_Output_0";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void At224TheStride16FeaturesEqualTheOriginalGraph()
    {
        string path = ResNet18Path;
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(path);
        float[] rgb = RgbImages(1, 224, 224, seed: 11);
        FeatureMap features = backbone.Extract(rgb, 224, 224).Maps[^1];
        Assert.AreEqual((256, 14, 14, 16), (features.Channels, features.Height, features.Width, features.Stride));

        ModelProto original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        byte[] exposed = SyntheticResNet.WithOutputs(original, Stride16);

        // Exact: the original graph fed BGR minus the same per-channel mean the recipe folds in.
        float[] perChannel = GraphRunner.Run(exposed, ("Input247", ToBgrMinusMean(rgb, 1, 224, 224), [1, 3, 224, 224]))[Stride16].Floats!;
        float diff = MaxAbsDiff(perChannel, features.Data);
        TestContext.WriteLine($"stride 16 vs original (per-channel mean): max abs diff {diff:G3}");
        Assert.IsTrue(diff <= 1e-4f, $"max abs diff {diff}");

        // ML.NET's own preprocessing subtracts a per-pixel mean image; the per-channel mean is close, not equal.
        float[] preprocessed = GraphRunner.Run(File.ReadAllBytes(PreprocessPath), ("OriginalInput", rgb, [1, 3, 224, 224]))["PreprocessedInput"].Floats!;
        float[] perPixel = GraphRunner.Run(exposed, ("Input247", preprocessed, [1, 3, 224, 224]))[Stride16].Floats!;
        double cosine = Cosine(perPixel, features.Data);
        TestContext.WriteLine($"stride 16 vs original (ML.NET per-pixel mean image): cosine {cosine:F5}, max abs diff {MaxAbsDiff(perPixel, features.Data):G3}");
        Assert.IsTrue(cosine > 0.999, $"cosine {cosine}");
    }

    [TestMethod]
    public void OtherSizesAndBatchesRun()
    {
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(ResNet18Path);
        CollectionAssert.AreEqual(
            new[] { new FeatureMapInfo("ReLU283_Output_0", 64, 4), new FeatureMapInfo("ReLU315_Output_0", 128, 8), new FeatureMapInfo(Stride16, 256, 16) },
            backbone.Features.ToArray());

        float[] images = RgbImages(2, 256, 320, seed: 13);
        FeatureMaps[] batch = backbone.ExtractBatch(images, 2, 256, 320);
        CollectionAssert.AreEqual(new[] { (64, 64, 80), (128, 32, 40), (256, 16, 20) }, batch[1].Maps.Select(m => (m.Channels, m.Height, m.Width)).ToArray());
        for (int n = 0; n < 2; n++)
        {
            FeatureMaps single = backbone.Extract(images.AsSpan(n * 3 * 256 * 320, 3 * 256 * 320), 256, 320);
            for (int m = 0; m < 3; m++)
            {
                Assert.IsTrue(MaxAbsDiff(single.Maps[m].Data, batch[n].Maps[m].Data) <= 1e-4f, $"image {n} map {m}");
            }
        }

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => backbone.Extract(new float[3 * 250 * 320], 250, 320));
        StringAssert.Contains(e.Message, "multiples of 16");
    }

    [TestMethod]
    public void OnlyTheChosenStridesAreComputed()
    {
        using FeatureBackbone backbone = FeatureBackbone.ResNet18(ResNet18Path, strides: [8]);
        ModelProto model = ModelProto.Parser.ParseFrom(backbone.GetModelBytes());
        Assert.AreEqual("ReLU315_Output_0", model.Graph.Output.Single().Name);
        Assert.IsFalse(model.Graph.Node.Any(n => n.Output.Contains(Stride16)));
        Assert.AreEqual((128, 4, 4), backbone.Extract(new float[3 * 32 * 32], 32, 32).Maps.Select(m => (m.Channels, m.Height, m.Width)).Single());
    }
}
