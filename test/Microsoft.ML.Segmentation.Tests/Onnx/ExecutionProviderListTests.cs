using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Onnx;

/// <summary>
/// <see cref="OnnxSessionOptions.ExecutionProviders"/> on the CPU native package the tests reference: every GPU
/// provider fails (at append time), so each list exercises the per-provider fallback down to the CPU.
/// </summary>
[TestClass]
public sealed class ExecutionProviderListTests
{
    /// <summary>Provider lists by name, so test rows stay readable.</summary>
    internal static List<OnnxProviderOptions> Providers(string list, string cacheFolder) => list switch
    {
        "cuda" => [OnnxProviderOptions.Cuda()],
        "tensorrt,cuda" => [OnnxProviderOptions.TensorRT(), OnnxProviderOptions.Cuda()],
        "tensorrt(fp16,cache),cuda(0,arena)" =>
        [
            OnnxProviderOptions.TensorRT(fp16: true, engineCacheFolder: cacheFolder),
            new OnnxProviderOptions
            {
                Kind = OnnxExecutionProvider.Cuda,
                DeviceId = 0,
                ArenaExtendStrategy = OnnxArenaExtendStrategy.SameAsRequested,
                GpuMemoryLimitBytes = 1L << 30,
                CudnnConvAlgoSearch = OnnxCudnnConvAlgoSearch.Heuristic,
                DoCopyInDefaultStream = true,
            },
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, "Unknown provider list."),
    };

    [TestMethod]
    [DataRow("cuda")]
    [DataRow("tensorrt,cuda")]
    [DataRow("tensorrt(fp16,cache),cuda(0,arena)")]
    public void GpuListFallsBackToCpuNamingEveryProviderAndScoresAsTheCpu(string list)
    {
        var log = new List<string>();
        List<OnnxProviderOptions> providers = Providers(list, Path.Combine(Path.GetTempPath(), "segml-trt-cache"));
        var options = new OnnxSessionOptions { ExecutionProviders = providers, Log = log.Add };
        using var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx");
        using var cpu = SegmentationModel.Load(TestModels.ConvHead(), null, "head.onnx");

        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.HasCount(providers.Count + 1, model.ExecutionProviderAttempts);
        for (int i = 0; i < providers.Count; i++)
        {
            OnnxProviderAttempt attempt = model.ExecutionProviderAttempts[i];
            Assert.AreEqual(providers[i].Kind, attempt.Provider);
            Assert.AreEqual(0, attempt.DeviceId);
            Assert.IsFalse(attempt.Succeeded);
            StringAssert.Contains(attempt.FailureReason, $"{providers[i].Kind} (GPU 0)");
            StringAssert.Contains(attempt.FailureReason, "head.onnx");
            StringAssert.Contains(model.ExecutionProviderFallbackReason, attempt.FailureReason!);
            Assert.IsTrue(log.Any(l => l.Contains(attempt.Name, StringComparison.Ordinal) && l.Contains("could not", StringComparison.Ordinal)), $"no log line for {attempt.Name}:\n{string.Join("\n", log)}");
        }

        OnnxProviderAttempt used = model.ExecutionProviderAttempts[^1];
        Assert.AreEqual(OnnxExecutionProvider.Cpu, used.Provider);
        Assert.IsTrue(used.Succeeded);
        Assert.IsNull(used.DeviceId);
        string all = string.Join("\n", log);
        StringAssert.Contains(all, "running on the CPU instead of " + model.ExecutionProviderAttempts[0].Name);
        StringAssert.Contains(all, "execution provider Cpu");

        float[] image = TestModels.RandomImages(2, 5, 6, seed: 3);
        var expected = new float[2 * 4 * 30];
        var actual = new float[expected.Length];
        cpu.Run(image, 2, 5, 6, expected);
        model.Run(image, 2, 5, 6, actual);
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void WithoutFallbackTheErrorNamesEveryProviderAndWhy()
    {
        var options = new OnnxSessionOptions
        {
            ExecutionProviders = [OnnxProviderOptions.TensorRT(1), OnnxProviderOptions.Cuda(1)],
            FallbackToCpu = false,
        };
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        StringAssert.Contains(ex.Message, "TensorRT (GPU 1)");
        StringAssert.Contains(ex.Message, "Cuda (GPU 1)");
        StringAssert.Contains(ex.Message, "head.onnx");
        StringAssert.Contains(ex.Message, "FallbackToCpu");
        var inner = Assert.IsInstanceOfType<AggregateException>(ex.InnerException);
        Assert.HasCount(2, inner.InnerExceptions);
    }

    [TestMethod]
    public void AnExplicitCpuEntryRunsEvenWithoutFallback()
    {
        var options = new OnnxSessionOptions { ExecutionProviders = [OnnxProviderOptions.Cuda(), OnnxProviderOptions.Cpu()], FallbackToCpu = false };
        using var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx");
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.HasCount(2, model.ExecutionProviderAttempts);
        Assert.IsNotNull(model.ExecutionProviderFallbackReason);
    }

    [TestMethod]
    public void ACpuFirstChoiceHasOneAttemptAndNoFallbackReason()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { ExecutionProviders = [OnnxProviderOptions.Cpu()] }, "head.onnx");
        Assert.AreEqual(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.IsNull(model.ExecutionProviderFallbackReason);
        Assert.HasCount(1, model.ExecutionProviderAttempts);
        Assert.AreEqual("Cpu", model.ExecutionProviderAttempts[0].Name);
    }

    [TestMethod]
    public void GpuDeviceIdIsTheDeviceOfEntriesThatNameNone()
    {
        var options = new OnnxSessionOptions { GpuDeviceId = 3, ExecutionProviders = [OnnxProviderOptions.Cuda(), OnnxProviderOptions.TensorRT(1)] };
        using var model = SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx");
        CollectionAssert.AreEqual(new int?[] { 3, 1, null }, model.ExecutionProviderAttempts.Select(a => a.DeviceId).ToArray());
    }

    [TestMethod]
    public void TheShorthandStillDefinesTheListWhenItIsEmpty()
    {
        using var model = SegmentationModel.Load(TestModels.ConvHead(), new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.TensorRT, GpuDeviceId = 2 }, "head.onnx");
        CollectionAssert.AreEqual(
            new[] { "TensorRT (GPU 2)", "Cpu" }, model.ExecutionProviderAttempts.Select(a => a.Name).ToArray());
    }

    [TestMethod]
    [DataRow("gpu-device", "options.GpuDeviceId")]
    [DataRow("device", "options.ExecutionProviders[0].DeviceId")]
    [DataRow("second-device", "options.ExecutionProviders[1].DeviceId")]
    [DataRow("memory", "options.ExecutionProviders[0].GpuMemoryLimitBytes")]
    [DataRow("workspace", "options.ExecutionProviders[0].MaxWorkspaceBytes")]
    [DataRow("arena", "options.ExecutionProviders[0].ArenaExtendStrategy")]
    public void OutOfRangeValuesThrowNamingTheSetting(string problem, string parameter)
    {
        var calls = 0;
        var options = new OnnxSessionOptions { ConfigureSessionOptions = _ => calls++ };
        switch (problem)
        {
            case "gpu-device": options.GpuDeviceId = -1; options.ExecutionProvider = OnnxExecutionProvider.Cuda; break;
            case "device": options.ExecutionProviders = [OnnxProviderOptions.Cuda(-1)]; break;
            case "second-device": options.ExecutionProviders = [OnnxProviderOptions.Cpu(), OnnxProviderOptions.TensorRT(-2)]; break;
            case "memory": options.ExecutionProviders = [new OnnxProviderOptions { Kind = OnnxExecutionProvider.Cuda, GpuMemoryLimitBytes = -1 }]; break;
            case "workspace": options.ExecutionProviders = [new OnnxProviderOptions { Kind = OnnxExecutionProvider.TensorRT, MaxWorkspaceBytes = 0 }]; break;
            default: options.ExecutionProviders = [new OnnxProviderOptions { Kind = OnnxExecutionProvider.Cuda, ArenaExtendStrategy = (OnnxArenaExtendStrategy)7 }]; break;
        }

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        Assert.AreEqual(parameter, ex.ParamName);
        Assert.AreEqual(0, calls, "values are checked before any session is tried");
    }

    [TestMethod]
    [DataRow("Fp16")]
    [DataRow("GpuMemoryLimitBytes")]
    [DataRow("DeviceId")]
    public void SettingsOnAProviderTheyDoNotApplyToAreRejected(string setting)
    {
        OnnxProviderOptions entry = setting switch
        {
            "Fp16" => new OnnxProviderOptions { Kind = OnnxExecutionProvider.Cuda, Fp16 = true },
            "GpuMemoryLimitBytes" => new OnnxProviderOptions { Kind = OnnxExecutionProvider.TensorRT, GpuMemoryLimitBytes = 1024 },
            _ => new OnnxProviderOptions { Kind = OnnxExecutionProvider.Cpu, DeviceId = 0 },
        };
        var options = new OnnxSessionOptions { ExecutionProviders = [entry] };
        var ex = Assert.ThrowsExactly<ArgumentException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        Assert.AreEqual($"options.ExecutionProviders[0].{setting}", ex.ParamName);
        StringAssert.Contains(ex.Message, entry.Kind.ToString());
    }

    [TestMethod]
    public void ANullEntryIsRejected()
    {
        var options = new OnnxSessionOptions { ExecutionProviders = [OnnxProviderOptions.Cpu(), null!] };
        var ex = Assert.ThrowsExactly<ArgumentNullException>(() => SegmentationModel.Load(TestModels.ConvHead(), options, "head.onnx"));
        Assert.AreEqual("options.ExecutionProviders[1]", ex.ParamName);
    }

    [TestMethod]
    public void EntriesDescribeTheirSettings()
    {
        Assert.AreEqual("Cpu", OnnxProviderOptions.Cpu().ToString());
        Assert.AreEqual("TensorRT(DeviceId=1, Fp16=True, EngineCacheFolder=cache)", OnnxProviderOptions.TensorRT(1, true, "cache").ToString());
        Assert.AreEqual(
            "Cuda(ArenaExtendStrategy=SameAsRequested, GpuMemoryLimitBytes=1024)",
            new OnnxProviderOptions { Kind = OnnxExecutionProvider.Cuda, ArenaExtendStrategy = OnnxArenaExtendStrategy.SameAsRequested, GpuMemoryLimitBytes = 1024 }.ToString());
    }

    [TestMethod]
    public void EntriesMapToOnnxRuntimeKeys()
    {
        var cuda = new OnnxProviderOptions
        {
            Kind = OnnxExecutionProvider.Cuda,
            ArenaExtendStrategy = OnnxArenaExtendStrategy.SameAsRequested,
            GpuMemoryLimitBytes = 2048,
            CudnnConvAlgoSearch = OnnxCudnnConvAlgoSearch.Heuristic,
            DoCopyInDefaultStream = false,
        };
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string>
            {
                ["device_id"] = "2", ["arena_extend_strategy"] = "kSameAsRequested", ["gpu_mem_limit"] = "2048",
                ["cudnn_conv_algo_search"] = "HEURISTIC", ["do_copy_in_default_stream"] = "0",
            },
            cuda.CudaSettings(2));
        string folder = Path.Combine(Path.GetTempPath(), "engines");
        var trt = new OnnxProviderOptions { Kind = OnnxExecutionProvider.TensorRT, Fp16 = true, EngineCacheFolder = folder, MaxWorkspaceBytes = 1L << 31 };
        CollectionAssert.AreEquivalent(
            new Dictionary<string, string>
            {
                ["device_id"] = "0", ["trt_fp16_enable"] = "1", ["trt_engine_cache_enable"] = "1",
                ["trt_engine_cache_path"] = Path.GetFullPath(folder), ["trt_max_workspace_size"] = "2147483648",
            },
            trt.TensorRTSettings(0));
    }
}
