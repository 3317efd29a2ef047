using Microsoft.ML.OnnxRuntime;
using Microsoft.ML;
using Microsoft.ML.Segmentation.Transforms;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary><see cref="OnnxSessionOptions.ConfigureSessionOptions"/>: when it runs, that it takes effect, and its errors.</summary>
[TestClass]
public sealed class ConfigureSessionOptionsTests
{
    [TestMethod]
    public void ItIsCalledOncePerAttemptOnFreshOptionsAfterSegMLsSettings()
    {
        var seen = new List<SessionOptions>();
        var threads = new List<int>();
        var options = new OnnxSessionOptions
        {
            ExecutionProviders = [OnnxProviderOptions.TensorRT(), OnnxProviderOptions.Cuda()],
            IntraOpThreads = 2,
            ConfigureSessionOptions = o =>
            {
                seen.Add(o);
                threads.Add(o.IntraOpNumThreads);
            },
        };
        using var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx");

        Assert.HasCount(model.ExecutionProviderAttempts.Count, seen);
        Assert.HasCount(3, seen);
        Assert.HasCount(3, seen.Distinct());
        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, threads, "SegML's settings are in place before the callback");
    }

    [TestMethod]
    public void ItsSettingsTakeEffect()
    {
        // Profiling is a setting only the callback can turn on, and it leaves a file behind when the session ends.
        string folder = Directory.CreateTempSubdirectory("segml-profile").FullName;
        try
        {
            string prefix = Path.Combine(folder, "head");
            var options = new OnnxSessionOptions
            {
                ConfigureSessionOptions = o =>
                {
                    o.ProfileOutputPathPrefix = prefix; // before EnableProfiling, which passes it to ONNX Runtime
                    o.EnableProfiling = true;
                    o.LogId = "segml-test";
                    o.AddSessionConfigEntry("session.disable_prepacking", "1");
                },
            };
            using (var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"))
            {
                var scores = new float[4 * 9];
                model.Run(TestModels.RandomImages(1, 3, 3, seed: 2), 1, 3, 3, scores);
            }

            string[] profiles = Directory.GetFiles(folder, "head*.json");
            Assert.HasCount(1, profiles);
            StringAssert.Contains(File.ReadAllText(profiles[0]), "model_run");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ItsExceptionStopsLoadingWrappedWithTheModelName()
    {
        var calls = 0;
        var options = new OnnxSessionOptions
        {
            ExecutionProvider = OnnxExecutionProvider.Cuda,
            ConfigureSessionOptions = _ =>
            {
                calls++;
                throw new FormatException("bad entry");
            },
        };
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        StringAssert.Contains(ex.Message, "head.onnx");
        StringAssert.Contains(ex.Message, "ConfigureSessionOptions");
        StringAssert.Contains(ex.Message, "bad entry");
        Assert.IsInstanceOfType<FormatException>(ex.InnerException);
        Assert.AreEqual(1, calls, "a failing callback is not a provider failure: nothing more is tried");
    }

    [TestMethod]
    public void ScoreOnnxKeepsTheCallback()
    {
        var ml = new MLContext(seed: 1);
        var calls = 0;
        var options = new OnnxSessionOptions { ConfigureSessionOptions = _ => calls++ };
        IDataView empty = ml.Data.LoadFromEnumerable(Array.Empty<Tests.Transforms.PipelineTests.Paths>());
        var model = ml.Segmentation().Transforms.LoadImages().Append(ml.Segmentation().Transforms.ScoreOnnx(TestModels.ConvHead(), options: options)).Fit(empty);
        Assert.AreEqual(1, calls);
        foreach (ITransformer stage in model)
        {
            (stage as IDisposable)?.Dispose();
        }
    }
}
