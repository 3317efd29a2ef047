using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Peers;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>
/// A ComputeLosses stage saved with SaveModel and read back with LoadModel: every built-in loss kind, with options
/// away from their defaults, computes the same value on the same data after the round trip, and the manifest holds
/// the loss's type and options.
/// </summary>
[TestClass]
public sealed class LossStageArchiveTests
{
    private const int Ignore = 255;

    /// <summary>A loss built with non-default options, the input it is computed on, and the option the manifest must show.</summary>
    public sealed record Case(string Type, Func<ISegmentationLoss> Build, int Classes, bool Binary, string OptionKey, string OptionValue)
    {
        public override string ToString() => $"{Type} ({OptionKey})";
    }

    private static IEnumerable<object[]> Cases() => new Case[]
    {
        new("CrossEntropyLoss", () => new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = [1, 2.5, 0.5], LabelSmoothing = 0.1, Averaging = PointwiseAveraging.Valid }), 3, false, "LabelSmoothing", "0.1"),
        new("BinaryCrossEntropyLoss", () => new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = [3], LabelSmoothing = 0.05, Averaging = PointwiseAveraging.All }), 1, true, "Averaging", "\"All\""),
        new("DiceLoss", () => new DiceLoss(new DiceLossOptions { SmoothNumerator = 1, SmoothDenominator = 2, PerImage = true, IncludeBackground = false, LogLoss = true }), 3, false, "LogLoss", "true"),
        new("JaccardLoss", () => new JaccardLoss(new JaccardLossOptions { SmoothNumerator = 0.5, SmoothDenominator = 0.5, Classes = [1, 2], Activation = Activation.Sigmoid }), 3, false, "Activation", "\"Sigmoid\""),
        new("TverskyLoss", () => new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7, Gamma = 1.5, ClassWeights = [1, 2, 3] }), 3, false, "Beta", "0.7"),
        new("FocalLoss", () => new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax, Gamma = 1, Alpha = 0.25, Normalized = true }), 3, false, "Normalized", "true"),
        new("LovaszSoftmaxLoss", () => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { Classes = LovaszClassSelection.All, PerImage = true, ClassWeights = [1, 2, 3] }), 3, false, "Classes", "\"All\""),
        new("LovaszHingeLoss", () => new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = false }), 1, true, "PerImage", "false"),
        new("GeneralizedDiceLoss", () => new GeneralizedDiceLoss(new GeneralizedDiceLossOptions { Weighting = GeneralizedDiceWeighting.Simple, SmoothNumerator = 1e-3, PerImage = false }), 3, false, "Weighting", "\"Simple\""),
        new("MatthewsCorrelationLoss", () => new MatthewsCorrelationLoss(new MatthewsCorrelationLossOptions { Activation = Activation.Softmax, Epsilon = 1e-2 }), 3, false, "Epsilon", "0.01"),
        new("HausdorffDistanceLoss", () => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax, Alpha = 1, IncludeBackground = true, LogLoss = true }), 3, false, "LogLoss", "true"),
        new("CombinedLoss", () => new CombinedLoss((new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = 0.2 }), 0.7), (new DiceLoss(new DiceLossOptions { LogLoss = true }), 0.3)), 3, false, "weight", "0.7"),
        new("IgnoreIndexLoss", () => Smp.DiceLoss("multiclass", classes: [0, 2], smooth: 0.5, ignoreIndex: Ignore), 3, false, "Classes", "[0,2]"),
        new("IgnoreIndexLoss", () => Mmseg.CrossEntropyLoss(classWeight: [1, 2, 1], avgNonIgnore: true, ignoreIndex: Ignore), 3, false, "ClassWeights", "["),
    }.Select(c => new object[] { c });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EveryBuiltInLossRoundTripsWithItsOptions(Case test)
    {
        ISegmentationLoss original = test.Build();
        (float[] scores, int[] labels, SegmentationShape shape) = Data(test.Classes, test.Binary);
        var stage = new LossComputingTransformer(new Dictionary<string, ISegmentationLoss> { ["Loss"] = original }, "S", "M", "G");
        var ml = new MLContext(seed: 1);
        using var file = new MemoryStream();
        ml.Segmentation().SaveModel(stage, file);

        JsonObject manifest = Manifest(file);
        JsonObject saved = (JsonObject)manifest["stages"]![0]!;
        Assert.AreEqual("ComputeLosses", (string?)saved["kind"]);
        Assert.AreEqual("S", (string?)saved["settings"]!["scores"]);
        JsonObject loss = (JsonObject)saved["settings"]!["losses"]![0]!["loss"]!;
        Assert.AreEqual(test.Type, (string?)loss["type"]);
        string json = loss.ToJsonString();
        StringAssert.Contains(json, $"\"{test.OptionKey}\":{test.OptionValue}", $"the manifest holds the option: {json}");

        file.Position = 0;
        var chain = (TransformerChain<ITransformer>)ml.Segmentation().LoadModel(file);
        var loaded = (LossComputingTransformer)chain.Single();
        Assert.AreEqual(("S", "M", "G"), (loaded.ScoresColumnName, loaded.MaskColumnName, loaded.GeometryColumnName));
        (string column, ISegmentationLoss reloaded) = loaded.Losses.Single();
        Assert.AreEqual("Loss", column);
        Assert.AreEqual(original.GetType(), reloaded.GetType());
        Assert.AreEqual(original.Name, reloaded.Name);

        double before = original.Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(labels, Ignore));
        double after = reloaded.Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(labels, Ignore));
        Assert.IsTrue(double.IsFinite(before), $"{test.Type}: {before}");
        Assert.AreEqual(before, after, 0, "the same options give the same value");

        var beforeGradient = new float[shape.ElementCount];
        var afterGradient = new float[shape.ElementCount];
        original.Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), beforeGradient);
        reloaded.Compute<float>(scores, shape, SegmentationTarget<float>.FromLabels(labels, Ignore), afterGradient);
        CollectionAssert.AreEqual(beforeGradient, afterGradient);
    }

    [TestMethod]
    public void TheOptionsChosenInTheCasesChangeTheLoss()
    {
        // Guards the round-trip test: were the options lost, a default loss would be rebuilt and give another value.
        (float[] scores, int[] labels, SegmentationShape shape) = Data(3, false);
        SegmentationTarget<float> target = SegmentationTarget<float>.FromLabels(labels, Ignore);
        var pairs = new (ISegmentationLoss Tuned, ISegmentationLoss Default)[]
        {
            (new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = [1, 2.5, 0.5], LabelSmoothing = 0.1, Averaging = PointwiseAveraging.Valid }), new CrossEntropyLoss()),
            (new DiceLoss(new DiceLossOptions { SmoothNumerator = 1, SmoothDenominator = 2, PerImage = true, IncludeBackground = false, LogLoss = true }), new DiceLoss()),
            (new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7, Gamma = 1.5, ClassWeights = [1, 2, 3] }), new TverskyLoss()),
            (new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax, Gamma = 1, Alpha = 0.25, Normalized = true }), new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax })),
            (new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax, Alpha = 1, IncludeBackground = true, LogLoss = true }), new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax })),
        };
        foreach ((ISegmentationLoss tuned, ISegmentationLoss plain) in pairs)
        {
            Assert.AreNotEqual(plain.Compute<float>(scores, shape, target), tuned.Compute<float>(scores, shape, target), tuned.Name);
        }
    }

    [TestMethod]
    public void OptionsChangedAfterBuildingTheLossAreNotWhatIsSaved()
    {
        var options = new DiceLossOptions { SmoothNumerator = 3 };
        var stage = new LossComputingTransformer(new Dictionary<string, ISegmentationLoss> { ["Dice"] = new DiceLoss(options) }, "S", "M", "G");
        options.SmoothNumerator = 99; // the loss copied its options; the file must record what the loss computes with
        using var file = new MemoryStream();
        new MLContext().Segmentation().SaveModel(stage, file);
        JsonNode saved = Manifest(file)["stages"]![0]!["settings"]!["losses"]![0]!["loss"]!["options"]!;
        Assert.AreEqual(3.0, (double)saved["SmoothNumerator"]!);
    }

    private static JsonObject Manifest(MemoryStream file)
    {
        file.Position = 0;
        using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        using Stream manifest = zip.GetEntry("segml-model.json")!.Open();
        return (JsonObject)JsonNode.Parse(manifest)!;
    }

    /// <summary>Two 5×4 images of random logits; labels 0..C−1 (0/1 for a binary loss) with a few ignored pixels.</summary>
    private static (float[] Scores, int[] Labels, SegmentationShape Shape) Data(int classes, bool binary)
    {
        var shape = new SegmentationShape(2, classes, 5, 4);
        var random = new Random(7);
        float[] scores = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        int[] labels = Enumerable.Range(0, shape.Batch * shape.PixelsPerImage)
            .Select(i => i % 9 == 4 ? Ignore : random.Next(binary ? 2 : classes)).ToArray();
        return (scores, labels, shape);
    }
}
