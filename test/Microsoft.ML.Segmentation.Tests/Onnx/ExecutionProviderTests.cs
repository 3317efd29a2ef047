using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// The test project references the CPU native package, so CUDA is never available here (on any machine): asking for
/// it exercises the fallback and the error.
/// </summary>
[TestClass]
public sealed class ExecutionProviderTests
{
    [TestMethod]
    [DataRow(OnnxExecutionProvider.Cuda)]
    [DataRow(OnnxExecutionProvider.TensorRT)]
    public void GpuRequestFallsBackToCpuAndSaysWhy(OnnxExecutionProvider requested)
    {
        var log = new List<string>();
        var options = new OnnxSessionOptions { ExecutionProvider = requested, GpuDeviceId = 0, Log = log.Add };
        using var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx");

        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.IsNotNull(model.ExecutionProviderFallbackReason);
        StringAssert.Contains(model.ExecutionProviderFallbackReason, requested.ToString());
        string all = string.Join("\n", log);
        StringAssert.Contains(all, "running on the CPU instead");
        StringAssert.Contains(all, "head.onnx");
        StringAssert.Contains(all, "execution provider Cpu");

        float[] image = TestModels.RandomImages(1, 4, 4, seed: 1);
        var scores = new float[4 * 16];
        model.Run(image, 1, 4, 4, scores);
        float[] expected = TestModels.ConvHeadReference(image, 1, 4, 4);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], scores[i], 1e-5);
        }
    }

    [TestMethod]
    public void GpuRequestWithoutFallbackThrowsClearly()
    {
        var options = new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, FallbackToCpu = false };
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        StringAssert.Contains(ex.Message, "Cuda");
        StringAssert.Contains(ex.Message, "head.onnx");
        StringAssert.Contains(ex.Message, "FallbackToCpu");
        Assert.IsNotNull(ex.InnerException);
    }
}
