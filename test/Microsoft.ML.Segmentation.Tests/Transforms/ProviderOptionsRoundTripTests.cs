using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Tests.Transforms;

/// <summary>The execution provider settings of a ScoreOnnx stage survive SaveModel/LoadModel.</summary>
[TestClass]
public sealed class ProviderOptionsRoundTripTests
{
    [TestMethod]
    public void ProviderListAndSettingsRoundTripThroughASavedModel()
    {
        var ml = new MLContext(seed: 1);
        var options = new OnnxSessionOptions
        {
            GpuDeviceId = 1,
            FallbackToCpu = false,
            UseIoBinding = false,
            ExecutionProviders =
            [
                OnnxProviderOptions.TensorRT(fp16: true, engineCacheFolder: "trt-cache"),
                new OnnxProviderOptions
                {
                    Kind = OnnxExecutionProvider.Cuda,
                    DeviceId = 0,
                    ArenaExtendStrategy = OnnxArenaExtendStrategy.SameAsRequested,
                    GpuMemoryLimitBytes = 1L << 32,
                    CudnnConvAlgoSearch = OnnxCudnnConvAlgoSearch.Default,
                    DoCopyInDefaultStream = false,
                },
                new OnnxProviderOptions { Kind = OnnxExecutionProvider.TensorRT, DeviceId = 2, MaxWorkspaceBytes = 1L << 30 },
                OnnxProviderOptions.Cpu(),
            ],
            ConfigureSessionOptions = _ => { },
        };
        IDataView empty = ml.Data.LoadFromEnumerable(Array.Empty<PipelineTests.Paths>());
        var model = ml.Segmentation().Transforms.LoadImages()
            .Append(ml.Segmentation().Transforms.ScoreOnnx(TestModels.ConvHead(), options: options, modelName: "head.onnx"))
            .Fit(empty);
        using var file = new MemoryStream();
        ml.Segmentation().SaveModel(model, file);
        file.Position = 0;
        ITransformer loaded = ml.Segmentation().LoadModel(file);
        try
        {
            OnnxScoringTransformer before = model.OfType<OnnxScoringTransformer>().Single();
            OnnxScoringTransformer after = ((IEnumerable<ITransformer>)loaded).OfType<OnnxScoringTransformer>().Single();
            string savedJson = before.Describe().Settings["options"]!.ToJsonString();
            Assert.AreEqual(savedJson, after.Describe().Settings["options"]!.ToJsonString());
            StringAssert.Contains(savedJson, "SameAsRequested");
            Assert.DoesNotContain("ConfigureSessionOptions", savedJson);

            OnnxSessionOptions read = JsonSerializer.Deserialize<OnnxSessionOptions>(savedJson, StageDescription.Json)!;
            Assert.AreEqual(1, read.GpuDeviceId);
            Assert.IsFalse(read.FallbackToCpu);
            Assert.IsFalse(read.UseIoBinding);
            Assert.AreEqual(
                string.Join(" | ", options.ExecutionProviders),
                string.Join(" | ", read.ExecutionProviders));

            // The loaded stage tries the same providers in the same order, then runs on the explicit CPU entry.
            CollectionAssert.AreEqual(
                new[] { "TensorRT (GPU 1)", "Cuda (GPU 0)", "TensorRT (GPU 2)", "Cpu" },
                after.Model.ExecutionProviderAttempts.Select(a => a.Name).ToArray());
            Assert.AreEqual(OnnxExecutionProvider.Cpu, after.ExecutionProvider);
            Assert.AreEqual(OnnxExecutionProvider.Cpu, before.ExecutionProvider);
        }
        finally
        {
            foreach (ITransformer stage in model.Concat((IEnumerable<ITransformer>)loaded))
            {
                (stage as IDisposable)?.Dispose();
            }
        }
    }

    [TestMethod]
    public void OptionsSavedBeforeTheProviderListLoadWithAnEmptyOne()
    {
        OnnxSessionOptions read = JsonSerializer.Deserialize<OnnxSessionOptions>("""{"ExecutionProvider":"Cuda","GpuDeviceId":0}""", StageDescription.Json)!;
        Assert.IsEmpty(read.ExecutionProviders);
        Assert.AreEqual(OnnxExecutionProvider.Cuda, read.ExecutionProvider);
        Assert.IsTrue(read.UseIoBinding);
        read = JsonSerializer.Deserialize<OnnxSessionOptions>("""{"ExecutionProviders":null}""", StageDescription.Json)!;
        Assert.IsEmpty(read.ExecutionProviders);
    }
}
