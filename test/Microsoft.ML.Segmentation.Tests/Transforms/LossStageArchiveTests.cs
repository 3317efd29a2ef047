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
    public sealed record Case(string Type, Func<ISegmentationLoss> Build, int Classes, bool Binary, string OptionKey, string OptionValue, bool Ignored = true)
    {
        public override string ToString() => $"{Type} ({OptionKey})";
    }

    private static IEnumerable<object[]> Cases() => new Case[]
    {
        new("CrossEntropyLoss", () => new CrossEntropyLoss(new CrossEntropyLossOptions { ClassWeights = [1, 2.5, 0.5], LabelSmoothing = 0.1, Averaging = PointwiseAveraging.Valid }), 3, false, "LabelSmoothing", "0.1"),
        new("BinaryCrossEntropyLoss", () => new BinaryCrossEntropyLoss(new BinaryCrossEntropyLossOptions { PositiveWeights = [3], LabelSmoothing = 0.05, Averaging = PointwiseAveraging.All }), 1, true, "Averaging", "\"All\""),
        new("DiceLoss", () => new DiceLoss(new DiceLossOptions { SmoothNumerator = 1, SmoothDenominator = 2, PerImage = true, IncludeBackground = false, LogLoss = true }), 3, false, "LogLoss", "true"),
        new("JaccardLoss", () => new JaccardLoss(new JaccardLossOptions { SmoothNumerator = 0.5, SmoothDenominator = 0.5, ClassIndices = [1, 2], Activation = Activation.Sigmoid }), 3, false, "Activation", "\"Sigmoid\""),
        new("TverskyLoss", () => new TverskyLoss(new TverskyLossOptions { Alpha = 0.3, Beta = 0.7, Gamma = 1.5, ClassWeights = [1, 2, 3] }), 3, false, "Beta", "0.7"),
        new("FocalLoss", () => new FocalLoss(new FocalLossOptions { Activation = Activation.Softmax, Gamma = 1, Alpha = 0.25, Normalized = true }), 3, false, "Normalized", "true"),
        new("LovaszSoftmaxLoss", () => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { ClassSelection = LovaszClassSelection.All, PerImage = true, ClassWeights = [1, 2, 3] }), 3, false, "ClassSelection", "\"All\""),
        new("LovaszHingeLoss", () => new LovaszHingeLoss(new LovaszHingeLossOptions { PerImage = false }), 1, true, "PerImage", "false"),
        new("GeneralizedDiceLoss", () => new GeneralizedDiceLoss(new GeneralizedDiceLossOptions { Weighting = GeneralizedDiceWeighting.Simple, SmoothNumerator = 1e-3, PerImage = false }), 3, false, "Weighting", "\"Simple\""),
        new("MatthewsCorrelationLoss", () => new MatthewsCorrelationLoss(new MatthewsCorrelationLossOptions { Activation = Activation.Softmax, Epsilon = 1e-2 }), 3, false, "Epsilon", "0.01"),
        new("HausdorffDistanceLoss", () => new HausdorffDistanceLoss(new HausdorffDistanceLossOptions { Activation = Activation.Softmax, Alpha = 1, IncludeBackground = true, LogLoss = true }), 3, false, "LogLoss", "true"),
        new("CombinedLoss", () => new CombinedLoss((new CrossEntropyLoss(new CrossEntropyLossOptions { LabelSmoothing = 0.2 }), 0.7), (new DiceLoss(new DiceLossOptions { LogLoss = true }), 0.3)), 3, false, "weight", "0.7"),
        new("IgnoreIndexLoss", () => Smp.DiceLoss("multiclass", classes: [0, 2], smooth: 0.5, ignoreIndex: Ignore), 3, false, "ClassIndices", "[0,2]"),
        new("IgnoreIndexLoss", () => Mmseg.CrossEntropyLoss(classWeight: [1, 2, 1], avgNonIgnore: true, ignoreIndex: Ignore), 3, false, "ClassWeights", "["),
        new("CombinedLoss", () => Mmseg.LovaszLoss(perImage: true, classWeight: [1, 3, 2], lossWeight: 0.5), 3, false, "PerImage", "true"),
        new("IgnoreIndexLoss", () => Smp.LovaszLoss("binary", perImage: true, ignoreIndex: Ignore), 1, true, "PerImage", "true"),
        new("MatthewsCorrelationLoss", () => Smp.MCCLoss(eps: 1e-3), 1, true, "Activation", "\"None\""),
        new("IgnoreIndexLoss", () => Smp.SoftBCEWithLogitsLoss(posWeight: [2], smoothFactor: 0.1), 1, true, "ignoreIndex", "-100", Ignored: false),
        new("IgnoreIndexLoss", () => Smp.SoftCrossEntropyLoss(smoothFactor: 0.1), 3, false, "LabelSmoothing", "0.1", Ignored: false),
        new("PeerLoss", () => Smp.FocalLoss("multiclass", gamma: 1, ignoreIndex: Ignore, classWeights: [1, 2, 3]), 3, false, "classWeights", "[1,2,3]"),
        new("ClampedOneHotLoss", () => Mmseg.DiceLoss(useSigmoid: false, naiveDice: true, eps: 0.01), 3, false, "naiveDice", "true"),
        new("CombinedLoss", () => Mmseg.DiceLoss(lossWeight: 0.5, eps: 0.01), 3, false, "lossWeight", "0.5"),
        new("IgnoreIndexLoss", () => Mmseg.TverskyLoss(smooth: 0.5, classWeight: [1, 2, 1], alpha: 0.4, beta: 0.6), 3, false, "alpha", "0.4"),
        new("PeerLoss", () => Monai.DiceLoss(includeBackground: false, softmax: true, batch: true, weight: [1, 2]), 3, false, "includeBackground", "false"),
        new("PeerLoss", () => Monai.DiceCELoss(softmax: true, lambdaDice: 0.4, labelSmoothing: 0.1), 3, false, "labelSmoothing", "0.1"),
        new("PeerLoss", () => Monai.DiceFocalLoss(softmax: true, gamma: 1.5, lambdaFocal: 0.5), 3, false, "lambdaFocal", "0.5"),
        new("PeerLoss", () => Monai.GeneralizedDiceLoss(softmax: true, wType: "simple", batch: true), 3, false, "wType", "\"simple\""),
        new("PeerLoss", () => Monai.TverskyLoss(softmax: true, alpha: 0.3, beta: 0.7), 3, false, "beta", "0.7"),
        new("PeerLoss", () => Monai.FocalLoss(gamma: 1, alpha: 0.25, useSoftmax: true), 3, false, "useSoftmax", "true"),
        new("PeerLoss", () => Monai.HausdorffDTLoss(alpha: 1, softmax: true, includeBackground: true), 3, false, "method", "\"HausdorffDTLoss\""),
        new("PeerLoss", () => Monai.LogHausdorffDTLoss(softmax: true, batch: true), 3, false, "method", "\"LogHausdorffDTLoss\""),
        new("ClDiceLoss", () => new ClDiceLoss(new ClDiceLossOptions { Activation = Activation.Softmax, Iterations = 2, Alpha = 0.4, Smooth = 0.5 }), 3, false, "Alpha", "0.4", Ignored: false),
        new("GeneralizedWassersteinDiceLoss", () => new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1, 2], [1, 0, 0.5], [2, 0.5, 0]], Weighting = WassersteinDiceWeighting.GeneralizedDice, SmoothNumerator = 1e-3 }), 3, false, "Weighting", "\"GeneralizedDice\""),
        new("AsymmetricUnifiedFocalLoss", () => new AsymmetricUnifiedFocalLoss(new AsymmetricUnifiedFocalLossOptions { Activation = Activation.Softmax, Weight = 0.3, Gamma = 0.8, Delta = 0.6 }), 2, false, "Delta", "0.6"),
        new("PeerLoss", () => Monai.SoftDiceclDiceLoss(iter: 2, alpha: 0.3), 3, false, "alpha", "0.3", Ignored: false),
        new("PeerLoss", () => Monai.GeneralizedWassersteinDiceLoss([[0, 1, 1], [1, 0, 0.5], [1, 0.5, 0]], weightingMode: "GDL"), 3, false, "weightingMode", "\"GDL\""),
        new("PeerLoss", () => Monai.AsymmetricFocalTverskyLoss(delta: 0.6, gamma: 0.5), 2, false, "method", "\"AsymmetricFocalTverskyLoss\""),
        new("PeerLoss", () => Monai.SoftclDiceLoss(iter: 4, smooth: 0.5), 3, false, "iter", "4", Ignored: false),
        new("PeerLoss", () => Monai.AsymmetricFocalLoss(delta: 0.6, gamma: 1.5), 2, false, "method", "\"AsymmetricFocalLoss\""),
        new("PeerLoss", () => Monai.AsymmetricUnifiedFocalLoss(weight: 0.3, gamma: 0.6), 1, true, "weight", "0.3"),
        new("BoundaryLoss", () => new BoundaryLoss(new BoundaryLossOptions { ClassIndices = [1, 2], TruncateDistances = true, Spacing = [1, 2] }), 3, false, "TruncateDistances", "true"),
        new("BoundaryLoss", () => Kervadec.SurfaceLoss([1]), 3, false, "FullClass", "\"ScipyVirtualOutside\""),
        new("BalancedBinaryCrossEntropyLoss", () => new BalancedBinaryCrossEntropyLoss(new BalancedBinaryCrossEntropyLossOptions { Averaging = PointwiseAveraging.Valid }), 1, true, "Averaging", "\"Valid\""),
        new("IgnoreIndexLoss", () => Mmseg.BoundaryLoss(), 1, true, "Averaging", "\"All\""),
        new("OhemCrossEntropyLoss", () => new OhemCrossEntropyLoss(new OhemCrossEntropyLossOptions { Threshold = 0.6, MinKept = 5, MinKeptPerImage = true, ClassWeights = [1, 2, 0.5], Averaging = OhemAveraging.SelectedWeight }), 3, false, "MinKept", "5"),
        new("CombinedLoss", () => Mmseg.OhemCrossEntropy(thres: 0.6, minKept: 5, lossWeight: 0.5), 3, false, "NaNWhenNoneSelected", "true"),
        new("IgnoreIndexLoss", () => Mmseg.OhemPixelSampler(minKept: 4), 3, false, "Averaging", "\"AllPixels\""),
    }.Select(c => new object[] { c });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void EveryBuiltInLossRoundTripsWithItsOptions(Case test)
    {
        ISegmentationLoss original = test.Build();
        (float[] scores, int[] labels, SegmentationShape shape) = Data(test.Classes, test.Binary, test.Ignored);
        SegmentationTarget<float> target = test.Ignored ? SegmentationTarget<float>.FromLabels(labels, Ignore) : SegmentationTarget<float>.FromLabels(labels);
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

        double before = original.Compute<float>(scores, shape, target);
        double after = reloaded.Compute<float>(scores, shape, target);
        Assert.IsTrue(double.IsFinite(before), $"{test.Type}: {before}");
        Assert.AreEqual(before, after, 0, "the same options give the same value");

        var beforeGradient = new float[shape.ElementCount];
        var afterGradient = new float[shape.ElementCount];
        original.Compute<float>(scores, shape, target, beforeGradient);
        reloaded.Compute<float>(scores, shape, target, afterGradient);
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
            (new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1, 2], [1, 0, 0.5], [2, 0.5, 0]], Weighting = WassersteinDiceWeighting.GeneralizedDice, SmoothNumerator = 1e-3 }), new GeneralizedWassersteinDiceLoss(new GeneralizedWassersteinDiceLossOptions { DistanceMatrix = [[0, 1, 2], [1, 0, 0.5], [2, 0.5, 0]] })),
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

    [TestMethod]
    public void EveryPeerPresetRecordsEveryArgumentOfItsCall()
    {
        // A preset that forgot a parameter would be rebuilt with that parameter's default: the names must be the method's.
        var presets = Cases().Select(c => ((Case)c[0]).Build()).Select(FindPeer).OfType<PeerLoss>().Select(p => p.Preset!).ToList();
        Assert.IsTrue(presets.All(p => p is not null), "every PeerLoss records its preset");
        foreach (Type catalog in new[] { typeof(Monai), typeof(Mmseg), typeof(Smp) })
        {
            foreach (PeerPreset preset in presets.Where(p => p.Catalog == catalog.Name))
            {
                string[] parameters = catalog.GetMethod(preset.Method)!.GetParameters().Select(p => p.Name!).ToArray();
                CollectionAssert.AreEqual(parameters, preset.Arguments.Select(a => a.Name).ToArray(), $"{catalog.Name}.{preset.Method}");
            }
        }

        // Every MONAI preset is a PeerLoss, so each must be among the cases above.
        string[] monai = typeof(Monai).GetMethods().Where(m => m.IsStatic && m.ReturnType == typeof(PeerLoss)).Select(m => m.Name).Order().ToArray();
        CollectionAssert.AreEqual(monai, presets.Where(p => p.Catalog == nameof(Monai)).Select(p => p.Method).Order().ToArray());
    }

    [TestMethod]
    [DataRow("{\"type\":\"NoSuchLoss\",\"options\":{}}", "NoSuchLoss")]
    [DataRow("{\"type\":\"DiceLoss\",\"options\":{\"Epsilon\":-1}}", "cannot be built")]
    [DataRow("{\"type\":\"CrossEntropyLoss\",\"options\":{\"LabelSmoothing\":\"high\"}}", "cannot be built")]
    [DataRow("{\"type\":\"PeerLoss\",\"name\":\"x\",\"catalog\":\"File\",\"method\":\"Delete\",\"arguments\":{\"path\":\"a\"}}", "not a preset catalog")]
    [DataRow("{\"type\":\"PeerLoss\",\"name\":\"monai.DiceLoss\",\"catalog\":\"Monai\",\"method\":\"ToString\",\"arguments\":{}}", "not a loss preset")]
    [DataRow("{\"type\":\"PeerLoss\",\"name\":\"monai.DiceLoss\",\"catalog\":\"Monai\",\"method\":\"DiceLoss\",\"arguments\":{\"reduction\":\"median\"}}", "cannot be built")]
    public void ABadSavedLossIsBadData(string loss, string expected)
    {
        // A model file is data: a loss it describes wrongly, or a method outside the preset catalogs, is refused as such.
        var stage = new LossComputingTransformer(new Dictionary<string, ISegmentationLoss> { ["Loss"] = new DiceLoss() }, "S", "M", "G");
        var ml = new MLContext();
        using var file = new MemoryStream();
        ml.Segmentation().SaveModel(stage, file);
        JsonObject manifest = Manifest(file);
        manifest["stages"]![0]!["settings"]!["losses"]![0]!["loss"] = JsonNode.Parse(loss);
        using var tampered = new MemoryStream();
        using (var zip = new ZipArchive(tampered, ZipArchiveMode.Create, leaveOpen: true))
        using (var writer = new StreamWriter(zip.CreateEntry("segml-model.json").Open()))
        {
            writer.Write(manifest.ToJsonString());
        }

        tampered.Position = 0;
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ml.Segmentation().LoadModel(tampered));
        StringAssert.Contains(ex.Message, expected);
    }

    private static PeerLoss? FindPeer(ISegmentationLoss loss) => loss switch
    {
        PeerLoss peer => peer,
        IgnoreIndexLoss l => FindPeer(l.Inner),
        ClampedOneHotLoss l => FindPeer(l.Inner),
        CombinedLoss l => l.Parts.Select(p => FindPeer(p.Loss)).FirstOrDefault(p => p is not null),
        _ => null,
    };

    /// <summary>Two 5×4 images of random logits; labels 0..C−1 (0/1 for a binary loss) with a few ignored pixels.</summary>
    private static (float[] Scores, int[] Labels, SegmentationShape Shape) Data(int classes, bool binary, bool ignored = true)
    {
        var shape = new SegmentationShape(2, classes, 5, 4);
        var random = new Random(7);
        float[] scores = Enumerable.Range(0, shape.ElementCount).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        int[] labels = Enumerable.Range(0, shape.Batch * shape.PixelsPerImage)
            .Select(i => ignored && i % 9 == 4 ? Ignore : random.Next(binary ? 2 : classes)).ToArray();
        return (scores, labels, shape);
    }
}
