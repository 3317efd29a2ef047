using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;
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
    public void TiledImageTimesItsWindowsAgainstTheRunsAlone()
    {
        // 20×15 in 8×6 windows at overlap 0.25: MONAI's steps int(8·0.75) = 6 and int(6·0.75) = 4, so 3 × 4 windows.
        (int code, JsonElement[] lines, _) = Run(
            TestModels.ConvHead(), "--providers", "cpu", "--size", "8x6", "--batch", "5", "--iterations", "3", "--warmup", "1", "--tiled-image", "20x15");
        Assert.AreEqual(0, code);
        JsonElement cpu = lines.Single();
        Assert.AreEqual("20x15", cpu.GetProperty("tiled_image").GetString());
        Assert.AreEqual(12, cpu.GetProperty("tiled_windows").GetInt32());
        Assert.AreEqual(3, cpu.GetProperty("tiled_runs").GetInt32(), "5 windows a run: 5 + 5 + 2");
        Assert.AreEqual("gaussian", cpu.GetProperty("tiled_blend").GetString());
        Assert.IsGreaterThan(0.0, cpu.GetProperty("tiled_ms").GetDouble());
        Assert.IsGreaterThan(0.0, cpu.GetProperty("tiled_runs_alone_ms").GetDouble());
        Assert.IsLessThanOrEqualTo(100.0, cpu.GetProperty("tiled_outside_runs_pct").GetDouble());
        Assert.AreEqual(100.0, cpu.GetProperty("tiled_argmax_agreement_pct").GetDouble());
    }

    /// <summary>Where the runs overlap the blend (a GPU provider's default, forced here), the line also times them one after the other.</summary>
    [TestMethod]
    public void OverlappingRunsAreTimedAgainstRunsOneAfterTheOther()
    {
        using SegmentationModel model = SegmentationModel.Load(TestModels.ConvHead());
        var timing = new TiledProviderTiming
        {
            Height = 15,
            Width = 20,
            Tiling = new TilingOptions { TileSize = [6, 8], Overlap = [0.25], Blend = TileBlend.Gaussian, TilesPerRun = 2 },
            OverlapRuns = true,
        };
        float[] image = timing.RandomImage(model.InputChannels, seed: 1);
        int[] reference = new TiledProviderTiming { Height = 15, Width = 20, Tiling = timing.Tiling, OverlapRuns = false }.Labels(model, image);
        var line = new Dictionary<string, object?>();
        timing.Measure(model, image, new float[2 * model.InputChannels * 6 * 8], reference, iterations: 2, warmup: 1, line);
        Assert.IsTrue((bool)line["tiled_overlaps_runs"]!);
        Assert.IsGreaterThan(0.0, (double)line["tiled_serial_ms"]!);
        Assert.IsTrue((bool)line["tiled_agrees_with_serial"]!);
        Assert.AreEqual(100.0, (double)line["tiled_argmax_agreement_pct"]!);

        var cpuDefault = new Dictionary<string, object?>();
        new TiledProviderTiming { Height = 15, Width = 20, Tiling = timing.Tiling }.Measure(model, image, new float[2 * model.InputChannels * 6 * 8], reference, 1, 0, cpuDefault);
        Assert.IsFalse((bool)cpuDefault["tiled_overlaps_runs"]!);
        Assert.IsFalse(cpuDefault.ContainsKey("tiled_serial_ms"));
    }

    [TestMethod]
    public void TiledImageWithAMaskModelFailsBeforeAnyProvider()
    {
        (int code, JsonElement[] lines, string stderr) = Run(TestModels.ArgmaxMask(), "--providers", "cpu", "--size", "5", "--iterations", "1", "--tiled-image", "9x9");
        Assert.AreEqual(1, code);
        Assert.IsEmpty(lines);
        StringAssert.Contains(stderr, "integer mask");
        StringAssert.Contains(stderr, "--tiled-image");
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
    [DataRow("--tiled-image", "0x5", "--tiled-image")]
    [DataRow("--blend", "gaussian", "'--blend' needs --tiled-image")]
    [DataRow("--tile-overlap", "0.5", "'--tile-overlap' needs --tiled-image")]
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
