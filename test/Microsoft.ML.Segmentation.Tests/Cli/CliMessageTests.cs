using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Tests.Onnx;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Microsoft.ML.Segmentation.Tests.Onnx.TestModels;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>
/// Errors of <c>segml eval</c> and <c>segml predict</c> name the file and the <c>segml</c> option that fixes them, never
/// an API member (<c>MaskOptions.…</c>) nor the framework's <c>(Parameter '…')</c> suffix; and the options they name work.
/// </summary>
[TestClass]
public sealed class CliMessageTests
{
    private static readonly string[] s_apiNames = ["(Parameter", "MaskOptions.", "ImageTensorOptions.", "OnnxSessionOptions.", "MaskFormat.", "recursive: true"];

    /// <summary>Exit code 1, and a message on stderr that names every one of <paramref name="expected"/> and no API member.</summary>
    private static void AssertCliError((int Code, string Stdout, string Stderr) result, params string[] expected)
    {
        Assert.AreEqual(ExitCodes.BadInput, result.Code, result.Stderr);
        foreach (string text in expected)
        {
            StringAssert.Contains(result.Stderr, text);
        }

        AssertNoApiNames(result.Stderr);
    }

    private static void AssertNoApiNames(string text)
    {
        foreach (string api in s_apiNames)
        {
            Assert.IsFalse(text.Contains(api, StringComparison.Ordinal), $"'{api}' in: {text}");
        }
    }

    private static string[] Eval(GeneratedDataset data, params string[] more)
        => ["--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "4", "--quiet", .. more];

    private static void WriteMask(string path, int width, int height, byte value)
    {
        using var mask = new Image<L8>(width, height, new L8(value));
        mask.SaveAsPng(path);
    }

    [TestMethod]
    public void AMaskOfAnotherSizeNamesResizeMasksAndTheFlagResizesIt()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string mask = Path.Combine(data.Masks, "a.png");
        WriteMask(mask, 3, 2, 1);

        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data)), mask, "3x2", "6x5", "--resize-masks");

        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, "--resize-masks", "--json", "-"));
        Assert.AreEqual(0, code, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.AreEqual(30, doc.RootElement.GetProperty("pixelCount").GetInt64(), "the 3x2 mask, resized to its 6x5 image");
        Assert.IsTrue(doc.RootElement.GetProperty("options").GetProperty("resizeMasks").GetBoolean());

        // Nearest neighbour from a constant mask is that constant: every non-ignored pixel is class 1.
        long[] row1 = doc.RootElement.GetProperty("confusionMatrix")[1].EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.AreEqual(30, row1.Sum());
    }

    [TestMethod]
    public void AnImageOverMaxPixelsNamesMaxPixelsAndTheFlagLetsItThrough()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string image = Path.Combine(data.Images, "a.png");
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--max-pixels", "29")), image, "6x5 = 30 pixels", "29", "--max-pixels 30");

        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, "--max-pixels", "30"));
        Assert.AreEqual(0, code, stderr);

        string output = data.Sub("out");
        AssertCliError(Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--max-pixels", "29", "--quiet"), image, "--max-pixels");
        (code, _, stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--max-pixels", "30", "--quiet");
        Assert.AreEqual(0, code, stderr);
    }

    [TestMethod]
    public void MaxPixelsAlsoLimitsMasks()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string mask = Path.Combine(data.Masks, "a.png");
        WriteMask(mask, 12, 10, 0);
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--resize-masks", "--max-pixels", "100")), mask, "12x10 = 120 pixels", "--max-pixels 120");
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, "--resize-masks", "--max-pixels", "120"));
        Assert.AreEqual(0, code, stderr);
    }

    [TestMethod]
    public void MaxPixelsMustBePositive()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--max-pixels", "0")), "--max-pixels");
    }

    [TestMethod]
    public void AMaskValueOutsideTheClassesNamesClassesAndIgnore()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string mask = Path.Combine(data.Masks, "a.png");
        WriteMask(mask, 6, 5, 7);
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data)), mask, "value 7", "0..3", "--classes", "--ignore value 255");
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--ignore", "none")), mask, "--classes", "--ignore none");
    }

    [TestMethod]
    public void AColourMaskReadAsIndexNamesMaskFormatNotTheApi()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string mask = Path.Combine(data.Masks, "a.png");
        using (var color = new Image<Rgb24>(6, 5, new Rgb24(200, 10, 30)))
        {
            color.SaveAsPng(mask);
        }

        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data)), mask, "(200, 10, 30)", "--mask-format");
    }

    [TestMethod]
    public void SkippedRowsGiveTheSameCliReasons()
    {
        using var data = new GeneratedDataset(("a", 6, 5), ("b", 6, 5));
        WriteMask(Path.Combine(data.Masks, "a.png"), 3, 2, 1);
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, "--skip-bad", "--json", "-"));
        Assert.AreEqual(0, code, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        string reason = doc.RootElement.GetProperty("skipped")[0].GetProperty("reason").GetString()!;
        StringAssert.Contains(reason, "--resize-masks");
        AssertNoApiNames(reason);
        AssertNoApiNames(stderr);
    }

    [TestMethod]
    public void UnpairedImagesNameImagesMasksAndManifest()
    {
        using var data = new GeneratedDataset(("a", 6, 5), ("b", 6, 5));
        File.Delete(Path.Combine(data.Masks, "b.png"));
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data)), data.Masks, "b", "--images", "--masks", "--manifest");
    }

    [TestMethod]
    public void AnImagesFolderWithoutImagesNamesImagesAndRecursive()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string empty = data.Sub("empty");
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", empty, "--masks", data.Masks, "--classes", "4"), empty, "--images", "--recursive");
        AssertCliError(Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", empty, "--out", data.Sub("out")), empty, "--images", "--recursive");
    }

    [TestMethod]
    public void AMissingFolderNamesItsOption()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string missing = Path.Combine(data.Sub("x"), "nowhere");
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", missing, "--masks", data.Masks, "--classes", "4"), "--images", "nowhere");
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", data.Model, "--images", data.Images, "--masks", missing, "--classes", "4"), "--masks", "nowhere");
        AssertCliError(Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", missing, "--out", data.Sub("out")), "--images", "nowhere");
    }

    [TestMethod]
    public void ABadManifestNamesTheManifestOption()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string manifest = data.File("pairs.csv");
        File.WriteAllText(manifest, "images/a.png\n");
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", data.Model, "--manifest", manifest, "--classes", "4"), manifest, "line 1", "--manifest");

        File.WriteAllText(manifest, "images/a.png,masks/missing.png\n");
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", data.Model, "--manifest", manifest, "--classes", "4"), manifest, "missing.png", "--manifest");
    }

    [TestMethod]
    public void AFileThatIsNotOnnxNamesTheModelOptionAndTheFile()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        string model = data.File("notes.onnx");
        File.WriteAllText(model, "These are my notes, not a model.\n");
        string[] expected = ["--model", model, "is not an ONNX model"];
        AssertCliError(Cli.Run(EvalCommand.Run, "--model", model, "--images", data.Images, "--masks", data.Masks, "--classes", "4"), expected);
        AssertCliError(Cli.Run(PredictCommand.Run, "--model", model, "--images", data.Images, "--out", data.Sub("out")), expected);
        AssertCliError(Cli.Run(ProvidersCommand.Run, "--model", model, "--providers", "cpu"), expected);
    }

    [TestMethod]
    public void AWrongInputNameHasNoParameterSuffix()
    {
        using var data = new GeneratedDataset(("a", 6, 5));
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--input-name", "pixels")), "--model", "'pixels'", "'image'");
        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data, "--output-name", "masks")), "--model", "'masks'", "'logits'");
    }

    [TestMethod]
    public void FewerClassesThanADynamicChannelModelGivesTheClassesOption()
    {
        // The conv head with its class dimension left symbolic: the CLI learns the channel count only from the output.
        GraphProto graph = NewGraph(ImageInput(), Initializer("W", Weights, Classes, 3, 1, 1), Initializer("B", Bias, Classes));
        graph.Node.Add(Node("Conv", ["image", "W", "B"], ["logits"]));
        graph.Output.Add(FloatOutput("logits", Dim("N"), Dim("C"), Dim("H"), Dim("W")));
        using var data = new GeneratedDataset(("a", 6, 5));
        File.WriteAllBytes(data.Model, Serialize(graph));
        WriteMask(Path.Combine(data.Masks, "a.png"), 6, 5, 0);

        AssertCliError(Cli.Run(EvalCommand.Run, Eval(data).Select(a => a == "4" ? "2" : a).ToArray()), "4 channel(s)", "--classes names 2");
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, Eval(data));
        Assert.AreEqual(0, code, stderr);
    }

    [TestMethod]
    public void TheUsageListsTheNewOptions()
    {
        StringAssert.Contains(EvalCommand.Usage, "--max-pixels n");
        StringAssert.Contains(EvalCommand.Usage, "--resize-masks");
        StringAssert.Contains(PredictCommand.Usage, "--max-pixels n");
        Assert.IsFalse(PredictCommand.Usage.Contains("--resize-masks", StringComparison.Ordinal), "predict reads no masks");
    }
}
