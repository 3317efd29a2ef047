using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>
/// <c>segml providers</c> on the CPU native package the tests reference: the CPU line measures and agrees with itself,
/// every GPU line reports its fallback with the reason.
/// </summary>
[TestClass]
public sealed class ProvidersCommandTests
{
    private static (int Code, JsonElement[] Lines, string Stderr) Run(byte[] model, params string[] args)
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.onnx");
        File.WriteAllBytes(path, model);
        (int code, string stdout, string stderr) = Cli.Run(ProvidersCommand.Run, ["--model", path, .. args]);
        JsonElement[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        return (code, lines, stderr);
    }

    [TestMethod]
    public void CpuMeasuresAndCudaReportsItsFallback()
    {
        (int code, JsonElement[] lines, string stderr) = Run(
            TestModels.ConvHead(), "--providers", "cpu,cuda", "--size", "8x6", "--batch", "2", "--iterations", "2", "--warmup", "1");

        Assert.AreEqual(1, code, "a provider that fell back fails the check");
        Assert.HasCount(2, lines);
        JsonElement cpu = lines[0];
        Assert.AreEqual("cpu", cpu.GetProperty("provider").GetString());
        Assert.AreEqual("ok", cpu.GetProperty("status").GetString());
        Assert.AreEqual(0.0, cpu.GetProperty("max_abs_diff").GetDouble());
        Assert.AreEqual(100.0, cpu.GetProperty("argmax_agreement_pct").GetDouble());
        Assert.AreEqual(6, cpu.GetProperty("height").GetInt32());
        Assert.AreEqual(8, cpu.GetProperty("width").GetInt32());
        Assert.IsGreaterThan(0.0, cpu.GetProperty("images_per_s_iobinding").GetDouble());
        Assert.IsGreaterThan(0.0, cpu.GetProperty("images_per_s_plain").GetDouble());
        Assert.IsFalse(cpu.TryGetProperty("device", out _));

        JsonElement cuda = lines[1];
        Assert.AreEqual("cuda", cuda.GetProperty("provider").GetString());
        Assert.AreEqual(0, cuda.GetProperty("device").GetInt32());
        Assert.AreEqual("fell back", cuda.GetProperty("status").GetString());
        Assert.AreEqual("cpu", cuda.GetProperty("ran_on").GetString());
        StringAssert.Contains(cuda.GetProperty("reason").GetString(), "Cuda (GPU 0)");
        Assert.IsFalse(cuda.TryGetProperty("images_per_s_iobinding", out _));
        StringAssert.Contains(stderr, "Cuda (GPU 0)");
    }

    [TestMethod]
    public void TensorRTWithItsOptionsReportsItsFallback()
    {
        using var cache = new TempDirectory();
        (int code, JsonElement[] lines, _) = Run(
            TestModels.ConvHead(), "--providers", "tensorrt", "--device", "1", "--fp16", "--trt-cache", cache.Path, "--size", "4", "--iterations", "1");
        Assert.AreEqual(1, code);
        JsonElement trt = lines.Single();
        Assert.AreEqual("fell back", trt.GetProperty("status").GetString());
        StringAssert.Contains(trt.GetProperty("reason").GetString(), "TensorRT (GPU 1)");
    }

    [TestMethod]
    public void CpuAloneSucceedsAndMeasuresOnlyTheChosenIoBindingSetting()
    {
        (int code, JsonElement[] lines, _) = Run(TestModels.ConvHead(), "--providers", "cpu", "--size", "4", "--iterations", "1", "--warmup", "0", "--iobinding", "off");
        Assert.AreEqual(0, code);
        JsonElement cpu = lines.Single();
        Assert.IsTrue(cpu.TryGetProperty("images_per_s_plain", out _));
        Assert.IsFalse(cpu.TryGetProperty("images_per_s_iobinding", out _));
        Assert.IsTrue(cpu.GetProperty("load_ms").GetDouble() >= 0);
        Assert.IsTrue(cpu.GetProperty("first_run_ms").GetDouble() >= 0);
    }

    [TestMethod]
    public void MaskModelsAreComparedByLabelOnly()
    {
        (int code, JsonElement[] lines, _) = Run(TestModels.ArgmaxMask(), "--providers", "cpu", "--size", "5", "--iterations", "1");
        Assert.AreEqual(0, code);
        JsonElement cpu = lines.Single();
        Assert.AreEqual("Mask", cpu.GetProperty("output_kind").GetString());
        Assert.AreEqual(100.0, cpu.GetProperty("argmax_agreement_pct").GetDouble());
        Assert.IsFalse(cpu.TryGetProperty("max_abs_diff", out _));
    }

    [TestMethod]
    public void ASizeTheModelRejectsFailsBeforeAnyProvider()
    {
        (int code, JsonElement[] lines, string stderr) = Run(TestModels.FixedSizeHead(), "--providers", "cpu", "--size", "16");
        Assert.AreEqual(1, code);
        Assert.IsEmpty(lines);
        StringAssert.Contains(stderr, "segml providers:");
        StringAssert.Contains(stderr, "model.onnx");
    }

    [TestMethod]
    [DataRow("--providers", "cpu,gpu", "'gpu'")]
    [DataRow("--providers", "cuda,cpu,cuda", "more than once")]
    [DataRow("--size", "0", "--size")]
    [DataRow("--size", "4x4x4", "--size")]
    [DataRow("--batch", "0", "--batch")]
    [DataRow("--iobinding", "maybe", "--iobinding")]
    public void UsageErrorsNameTheOption(string option, string value, string expected)
    {
        (int code, JsonElement[] lines, string stderr) = Run(TestModels.ConvHead(), option, value);
        Assert.AreEqual(1, code);
        Assert.IsEmpty(lines);
        StringAssert.Contains(stderr, expected);
        StringAssert.Contains(stderr, "Usage: segml providers");
    }

    [TestMethod]
    public void TheModelIsRequired()
    {
        (int code, string stdout, string stderr) = Cli.Run(ProvidersCommand.Run, "--providers", "cpu");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "--model");
    }
}
