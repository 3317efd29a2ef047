using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>
/// What every <c>segml</c> command promises scripts: help that names every option, exit codes 0 / 1 (bad input) /
/// 2 (internal error), JSON alone on stdout with <c>--json</c>, and progress only ever on stderr.
/// </summary>
[TestClass]
public sealed class CliContractTests
{
    private static readonly Dictionary<string, IReadOnlyList<OptionSpec>> s_specs = new()
    {
        ["eval"] = EvalCommand.Specs,
        ["merge"] = MergeCommand.Specs,
        ["predict"] = PredictCommand.Specs,
        ["providers"] = ProvidersCommand.Specs,
    };

    private static (int Code, string Stdout, string Stderr) Segml(params string[] args) => Segml(false, null, args);

    private static (int Code, string Stdout, string Stderr) Segml(bool interactive, Action<string>? fault, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandDispatcher.Run(args, stdout, stderr, interactive, fault);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [TestMethod]
    public void TopLevelHelpListsEveryCommandOnOneLine()
    {
        foreach (string flag in new[] { "--help", "-h", "help" })
        {
            (int code, string stdout, string stderr) = Segml(flag);
            Assert.AreEqual(0, code);
            Assert.AreEqual(string.Empty, stderr);
            string[] lines = stdout.Split(Environment.NewLine);
            Assert.AreEqual(CommandDispatcher.Commands.Count, s_specs.Count, "every command has a help test");
            foreach (string command in s_specs.Keys)
            {
                Assert.AreEqual(1, lines.Count(l => l.StartsWith("  " + command + " ", StringComparison.Ordinal)), command);
            }
        }
    }

    [TestMethod]
    [DataRow("eval")]
    [DataRow("merge")]
    [DataRow("predict")]
    [DataRow("providers")]
    public void EveryCommandsHelpExitsZeroAndNamesEveryOption(string command)
    {
        foreach (string flag in new[] { "--help", "-h" })
        {
            (int code, string stdout, string stderr) = Segml(command, flag);
            Assert.AreEqual(0, code, stderr);
            StringAssert.StartsWith(stdout, "Usage: segml " + command);
            foreach (OptionSpec spec in s_specs[command])
            {
                StringAssert.Contains(stdout, "--" + spec.Name + (spec.IsFlag ? string.Empty : " " + spec.ValueName));
                StringAssert.Contains(stdout, spec.Description);
                if (spec.Default is { } fallback)
                {
                    StringAssert.Contains(stdout, $"[default: {fallback}]");
                }
            }

            StringAssert.Contains(stdout, "--quiet");
            StringAssert.Contains(stdout, "Exit codes: 0 ok, 1 bad input");
        }
    }

    [TestMethod]
    [DataRow("eval")]
    [DataRow("merge")]
    [DataRow("predict")]
    [DataRow("providers")]
    public void AnUnknownOptionExitsOneWithTheUsageOnStderr(string command)
    {
        (int code, string stdout, string stderr) = Segml(command, "--no-such-option");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "unknown option '--no-such-option'");
        StringAssert.Contains(stderr, "Usage: segml " + command);
    }

    [TestMethod]
    public void AnUnknownOrMissingCommandExitsOneWithTheUsageOnStderr()
    {
        (int code, string stdout, string stderr) = Segml("train");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "unknown command 'train'");
        StringAssert.Contains(stderr, "Commands:");

        (code, stdout, stderr) = Segml();
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "Commands:");

        // The peer-vector runner left the tool (test/Microsoft.ML.Segmentation.GoldenVectors): 'golden' is unknown.
        (code, stdout, stderr) = Segml("golden", "somewhere");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "unknown command 'golden'");
        Assert.DoesNotContain("  golden ", stderr, "segml --help does not list golden");
    }

    [TestMethod]
    public void MissingFilesExitOne()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("absent.onnx");
        using var data = new GeneratedDataset(("one", 5, 4));
        var runs = new[]
        {
            new[] { "eval", "--model", missing, "--images", data.Images, "--masks", data.Masks, "--classes", "4" },
            ["eval", "--model", data.Model, "--images", temp.File("no-images"), "--masks", data.Masks, "--classes", "4"],
            ["predict", "--model", missing, "--images", data.Images, "--out", temp.Sub("out")],
            ["predict", "--model", data.Model, "--images", temp.File("no-images"), "--out", temp.Sub("out2")],
            ["providers", "--model", missing, "--providers", "cpu"],
        };
        foreach (string[] args in runs)
        {
            (int code, string stdout, string stderr) = Segml(args);
            Assert.AreEqual(1, code, string.Join(' ', args) + Environment.NewLine + stderr);
            Assert.DoesNotContain("internal error", stderr);
            Assert.IsFalse(stdout.Contains('{'), "no JSON or results for a failed run");
        }
    }

    [TestMethod]
    public void AnUnexpectedExceptionExitsTwoWithAHintAndTheTraceOnlyWhenVerbose()
    {
        static void Fault(string command) => throw new InvalidCastException($"injected in {command}");

        (int code, string stdout, string stderr) = Segml(false, Fault, "merge", "somewhere");
        Assert.AreEqual(2, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "segml merge: InvalidCastException: injected in merge");
        StringAssert.Contains(stderr, "internal error");
        StringAssert.Contains(stderr, "--verbose");
        Assert.DoesNotContain("   at ", stderr);

        (code, _, stderr) = Segml(false, Fault, "eval", "--verbose");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "injected in eval");
        StringAssert.Contains(stderr, "   at ", "the stack trace");
    }

    [TestMethod]
    public void EvalJsonToStdoutIsOneDocumentWithTheMetricsAndProgressStaysOnStderr()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6), ("three", 9, 4));
        foreach (bool interactive in new[] { false, true })
        {
            (int code, string stdout, string stderr) = Segml(
                interactive, null, "eval", "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "bg,a,b,c", "--json", "-");
            Assert.AreEqual(0, code, stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement root = doc.RootElement;
            Assert.AreEqual(3, root.GetProperty("imageCount").GetInt32());
            Assert.AreEqual(JsonValueKind.Number, root.GetProperty("meanIoU").ValueKind);
            Assert.AreEqual(4, root.GetProperty("perClass").GetProperty("iou").GetArrayLength());
            Assert.AreEqual(4, root.GetProperty("confusionMatrix").GetArrayLength());
            StringAssert.Contains(stderr, "Evaluated 3 of 3 images");
        }
    }

    [TestMethod]
    public void TextReportsKeepProgressOffStdoutAndQuietSilencesIt()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6));
        string output = data.Sub("out");
        foreach (bool interactive in new[] { false, true })
        {
            (int code, string stdout, string stderr) = Segml(interactive, null, "predict", "--model", data.Model, "--images", data.Images, "--out", output);
            Assert.AreEqual(0, code, stderr);
            Assert.AreEqual("Wrote 2 mask(s) to " + output + Environment.NewLine, stdout);
            StringAssert.Contains(stderr, "Predicted 2 of 2 images");
        }

        (int quietCode, string quietStdout, string quietStderr) = Segml(true, null, "eval", "--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4", "--quiet");
        Assert.AreEqual(0, quietCode, quietStderr);
        Assert.DoesNotContain("Evaluated", quietStderr);
        Assert.DoesNotContain("Evaluated", quietStdout);
        StringAssert.Contains(quietStdout, "IoU");
    }

    [TestMethod]
    public void PredictJsonListsEveryMaskWritten()
    {
        using var data = new GeneratedDataset(("one", 7, 5), ("two", 6, 6));
        string output = data.Sub("out");
        (int code, string stdout, string stderr) = Segml("predict", "--model", data.Model, "--images", data.Images, "--out", output, "--color", "--json");
        Assert.AreEqual(0, code, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] images = doc.RootElement.GetProperty("images").EnumerateArray().ToArray();
        Assert.HasCount(2, images);
        foreach (JsonElement image in images)
        {
            Assert.IsTrue(File.Exists(image.GetProperty("mask").GetString()));
            Assert.IsTrue(File.Exists(image.GetProperty("color").GetString()));
            Assert.AreEqual(JsonValueKind.Null, image.GetProperty("confidence").ValueKind);
        }

        Assert.AreEqual(7, images.Single(i => i.GetProperty("image").GetString()!.EndsWith("one.png", StringComparison.Ordinal)).GetProperty("width").GetInt32());
    }

    [TestMethod]
    public void ProvidersAcceptsJsonAndWritesOnlyJsonLines()
    {
        using var temp = new TempDirectory();
        string model = temp.File("conv.onnx");
        File.WriteAllBytes(model, Onnx.TestModels.ConvHead());
        (int code, string stdout, string stderr) = Segml("providers", "--model", model, "--providers", "cpu", "--size", "4", "--iterations", "1", "--warmup", "0", "--iobinding", "off", "--json");
        Assert.AreEqual(0, code, stderr);
        foreach (string line in stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            Assert.AreEqual("cpu", doc.RootElement.GetProperty("provider").GetString());
        }
    }
}
