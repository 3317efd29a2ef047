using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;
using Microsoft.ML.Segmentation.Training;
using Microsoft.ML.Segmentation.Transforms;
using Onnx;
using static Microsoft.ML.Segmentation.Tests.Onnx.TestModels;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// Every entry point that loads a model reports a file that is not an ONNX model as the documented
/// <see cref="InvalidDataException"/> naming it, with ONNX Runtime's error (where it ran) as the inner exception.
/// </summary>
[TestClass]
public sealed class NotAnOnnxModelTests
{
    private static readonly byte[] s_text = "These are my notes, not a model.\n"u8.ToArray();

    private static void AssertNotAModel(InvalidDataException e, string name)
    {
        Assert.AreEqual(typeof(InvalidDataException), e.GetType());
        StringAssert.Contains(e.Message, $"'{name}' is not an ONNX model");
    }

    [TestMethod]
    public void LoadFromAPathThrowsInvalidDataNamingTheFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("notes.onnx");
        File.WriteAllBytes(path, s_text);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(path));
        AssertNotAModel(e, Path.GetFullPath(path));
        Assert.IsInstanceOfType<OnnxRuntimeException>(e.InnerException);
    }

    [TestMethod]
    public void LoadFromBytesAndStreamsThrowsInvalidDataNamingTheModel()
    {
        var bytes = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(s_text, modelName: "notes.bin"));
        AssertNotAModel(bytes, "notes.bin");
        Assert.IsInstanceOfType<OnnxRuntimeException>(bytes.InnerException);

        using var stream = new MemoryStream(s_text);
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(stream)), "<stream>");
    }

    [TestMethod]
    public void LoadWithPostProcessingThrowsTheSameException()
    {
        var options = new OnnxSessionOptions { PostProcessing = new OnnxPostProcessingOptions { ArgMax = true } };
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(s_text, options, "notes.bin")), "notes.bin");
    }

    [TestMethod]
    public void ScoreOnnxThrowsInvalidDataNamingTheFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("notes.onnx");
        File.WriteAllBytes(path, s_text);
        var ml = new MLContext(seed: 1);
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => ml.Segmentation().Transforms.ScoreOnnx(path)), path);
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => ml.Segmentation().Transforms.ScoreOnnx(s_text, modelName: "notes.bin")), "notes.bin");
    }

    [TestMethod]
    public void FeatureBackboneLoadThrowsInvalidDataNamingTheFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("notes.onnx");
        File.WriteAllBytes(path, s_text);
        var options = new BackboneOptions { Features = [new BackboneFeature("logits", 1)] };
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => FeatureBackbone.Load(path, options)), "notes.onnx");
        AssertNotAModel(Assert.ThrowsExactly<InvalidDataException>(() => FeatureBackbone.Load(s_text, options)), "backbone");
    }

    [TestMethod]
    public void AModelOnnxRuntimeRejectsIsInvalidDataWithItsReasonNotNotAModel()
    {
        // A well-formed ModelProto whose only node is an operator no opset defines: a model, but one ONNX Runtime cannot load.
        GraphProto graph = NewGraph(ImageInput());
        graph.Node.Add(Node("NoSuchOperator", ["image"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim(Classes), Dim("H"), Dim("W")));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModel.Load(Serialize(graph), modelName: "unknown-op.onnx"));
        StringAssert.Contains(e.Message, "ONNX Runtime could not load the model 'unknown-op.onnx'");
        StringAssert.Contains(e.Message, "NoSuchOperator");
        Assert.IsFalse(e.Message.Contains("is not an ONNX model", StringComparison.Ordinal), e.Message);
        Assert.IsInstanceOfType<OnnxRuntimeException>(e.InnerException);
    }
}
