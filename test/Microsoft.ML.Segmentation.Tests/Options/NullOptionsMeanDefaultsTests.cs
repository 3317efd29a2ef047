using Microsoft.ML;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Training;
using Microsoft.ML.Segmentation.Training;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Options;

/// <summary>
/// A null options argument means <c>new XxxOptions()</c>, nothing more or less: the stage a catalog method builds
/// from null is described (as SaveModel writes it) exactly as the one built from fresh options.
/// </summary>
[TestClass]
public sealed class NullOptionsMeanDefaultsTests
{
    private static string Settings(SegmentationTransformerBase transformer) => transformer.Describe().Settings.ToJsonString();

    [TestMethod]
    public void ScoreOnnxNullIsNewOnnxSessionOptionsAndUpsamples()
    {
        var ml = new MLContext(seed: 1);
        byte[] model = TestModels.Stride4Head();
        using OnnxScoringTransformer fromNull = ml.Segmentation().Transforms.ScoreOnnx(model, options: null).Transformer;
        using OnnxScoringTransformer fromDefault = ml.Segmentation().Transforms.ScoreOnnx(model, options: new OnnxSessionOptions()).Transformer;

        Assert.IsTrue(new OnnxSessionOptions().UpsampleToInput, "Masks must match the tensor for PredictMasks and Evaluate.");
        Assert.IsTrue(fromNull.Model.UpsampleToInput);
        Assert.AreEqual(fromNull.Model.UpsampleToInput, fromDefault.Model.UpsampleToInput);
        Assert.AreEqual(Settings(fromNull), Settings(fromDefault));
    }

    [TestMethod]
    public void SegmentationModelLoadNullIsNewOnnxSessionOptions()
    {
        using SegmentationModel fromNull = SegmentationModel.Load(TestModels.Stride4Head());
        using SegmentationModel fromDefault = SegmentationModel.Load(TestModels.Stride4Head(), new OnnxSessionOptions());
        Assert.IsTrue(fromNull.UpsampleToInput);
        Assert.AreEqual(fromDefault.UpsampleToInput, fromNull.UpsampleToInput);
        Assert.AreEqual(fromDefault.UsesIoBinding, fromNull.UsesIoBinding);
    }

    [TestMethod]
    public void ScoreOnnxCopiesTheCallersOptions()
    {
        var ml = new MLContext(seed: 1);
        var options = new OnnxSessionOptions { UpsampleToInput = false, ExecutionProviders = [OnnxProviderOptions.Cpu()] };
        using OnnxScoringTransformer scoring = ml.Segmentation().Transforms.ScoreOnnx(TestModels.Stride4Head(), options: options).Transformer;
        string before = Settings(scoring);
        options.UpsampleToInput = true;
        options.ExecutionProviders[0].Kind = OnnxExecutionProvider.Cuda;
        options.ExecutionProviders.Add(OnnxProviderOptions.Cuda());
        Assert.AreEqual(before, Settings(scoring));
        Assert.IsFalse(scoring.Model.UpsampleToInput);
    }

    [TestMethod]
    public void TrainHeadNullIsNewSegmentationHeadTrainerOptions()
    {
        var ml = new MLContext(seed: 1);
        using FeatureBackbone backbone = ColourBackbone.Load();
        SegmentationHeadTrainerOptions fromNull = ml.Segmentation().Trainers.TrainHead(backbone, options: null).Options;
        Assert.AreEqual(OptionsCloneTests.Describe(new SegmentationHeadTrainerOptions()), OptionsCloneTests.Describe(fromNull));
        Assert.IsNull(fromNull.ScoringOptions, "null scoring options go to ScoreOnnx, where null is new OnnxSessionOptions()");
    }

    [TestMethod]
    public void LoadImagesNullIsNewImageTensorOptions()
    {
        var ml = new MLContext(seed: 1);
        Assert.AreEqual(
            Settings(ml.Segmentation().Transforms.LoadImages(options: new ImageTensorOptions()).Transformer),
            Settings(ml.Segmentation().Transforms.LoadImages(options: null).Transformer));
    }

    [TestMethod]
    public void LoadMasksNullIsNewMaskOptions()
    {
        var ml = new MLContext(seed: 1);
        string[] classes = ["background", "object"];
        Assert.AreEqual(
            Settings(ml.Segmentation().Transforms.LoadMasks(classes, options: new MaskOptions()).Transformer),
            Settings(ml.Segmentation().Transforms.LoadMasks(classes, options: null).Transformer));
    }
}
