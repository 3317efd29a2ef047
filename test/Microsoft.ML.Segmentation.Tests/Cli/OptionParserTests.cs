using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>The hand-written option parser and the preprocessing options it resolves.</summary>
[TestClass]
public sealed class OptionParserTests
{
    private static readonly OptionSpec[] s_specs =
    [
        new("model", "file", "model"),
        new("mean", "r,g,b", "mean"),
        new("bgr", null, "flag"),
        new("threads", "n", "threads"),
        new("scale-to-unit", "true|false", "scale"),
    ];

    [TestMethod]
    public void ParsesValuesInlineValuesAndFlags()
    {
        ParsedOptions options = ParsedOptions.Parse(["--model", "m.onnx", "--mean=0.5,0.25,1", "--bgr", "--threads", "3"], s_specs);
        Assert.AreEqual("m.onnx", options.Require("model"));
        CollectionAssert.AreEqual(new[] { 0.5f, 0.25f, 1f }, options.GetFloats("mean", 3));
        Assert.IsTrue(options.Has("bgr"));
        Assert.AreEqual(3, options.GetInt("threads", 0, 0, 64));
        Assert.IsTrue(options.GetBool("scale-to-unit", true));
        Assert.IsFalse(options.Has("help"));
        Assert.IsTrue(ParsedOptions.Parse(["--help"], s_specs).Has("help"));
        CollectionAssert.AreEqual(new[] { 2f, 2f, 2f }, ParsedOptions.Parse(["--mean", "2"], s_specs).GetFloats("mean", 3));
        Assert.IsFalse(ParsedOptions.Parse(["--scale-to-unit", "false"], s_specs).GetBool("scale-to-unit", true));
        CollectionAssert.AreEqual(new[] { -1f, -1f, -1f }, ParsedOptions.Parse(["--mean", "-1"], s_specs).GetFloats("mean", 3));
    }

    [TestMethod]
    [DataRow(new[] { "--nope", "1" }, "unknown option '--nope'")]
    [DataRow(new[] { "m.onnx" }, "unexpected argument 'm.onnx'")]
    [DataRow(new[] { "--model" }, "option '--model' needs a value")]
    [DataRow(new[] { "--model", "--bgr" }, "option '--model' needs a value")]
    [DataRow(new[] { "--model", "a", "--model", "b" }, "'--model' is given more than once")]
    [DataRow(new[] { "--bgr=yes" }, "'--bgr' is a flag")]
    [DataRow(new[] { "--model=" }, "got an empty one")]
    public void BadCommandLinesNameTheOption(string[] args, string expected)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => ParsedOptions.Parse(args, s_specs));
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    [DataRow(new[] { "--threads", "x" }, "'--threads' needs an integer")]
    [DataRow(new[] { "--threads", "-1" }, "'--threads' needs an integer in 0..64")]
    [DataRow(new[] { "--mean", "1,2" }, "'--mean' needs 3 comma-separated numbers (or one); got 2")]
    [DataRow(new[] { "--mean", "1,a,2" }, "'a' is not a number")]
    [DataRow(new[] { "--scale-to-unit", "maybe" }, "'--scale-to-unit' needs true or false")]
    public void MalformedValuesNameTheOption(string[] args, string expected)
    {
        ParsedOptions options = ParsedOptions.Parse(args, s_specs);
        var e = Assert.ThrowsExactly<UsageException>(() =>
        {
            options.GetInt("threads", 0, 0, 64);
            options.GetFloats("mean", 3);
            options.GetBool("scale-to-unit", true);
        });
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void ModelSettingsResolvePreprocessing()
    {
        ModelSettings s = ModelSettings.From(ParsedOptions.Parse(
            ["--model", "m.onnx", "--imagenet", "--bgr", "--size", "64x32", "--resize", "letterbox", "--provider", "cuda", "--threads", "2", "--input-name", "x", "--threshold", "0.3", "--scale-to-unit", "false"],
            ModelSettings.Specs));
        Assert.AreEqual(ChannelOrder.Bgr, s.Image.ChannelOrder);
        Assert.AreEqual(ImageResizeMode.Letterbox, s.Image.ResizeMode);
        Assert.AreEqual(64, s.Image.Width);
        Assert.AreEqual(32, s.Image.Height);
        Assert.IsFalse(s.Image.ScaleToUnit);
        CollectionAssert.AreEqual(ImageTensorOptions.ImageNetMean.ToArray(), s.Image.Mean!.ToArray());
        Assert.AreEqual(OnnxExecutionProvider.Cuda, s.Session.ExecutionProvider);
        Assert.AreEqual(2, s.Session.IntraOpThreads);
        Assert.AreEqual("x", s.Session.InputName);
        Assert.IsTrue(s.Session.UpsampleToInput);
        Assert.AreEqual(0.3f, s.Threshold);

        ModelSettings pad = ModelSettings.From(ParsedOptions.Parse(["--model", "m", "--resize", "pad32"], ModelSettings.Specs));
        Assert.AreEqual(ImageResizeMode.PadToMultiple, pad.Image.ResizeMode);
        Assert.AreEqual(32, pad.Image.SizeMultiple);
        Assert.AreEqual(ImageResizeMode.Stretch, ModelSettings.From(ParsedOptions.Parse(["--model", "m", "--size", "8x8"], ModelSettings.Specs)).Image.ResizeMode);
    }

    [TestMethod]
    [DataRow(new[] { "--imagenet" }, "option '--model' is required")]
    [DataRow(new[] { "--model", "m", "--size", "64" }, "'--size' needs WIDTHxHEIGHT")]
    [DataRow(new[] { "--model", "m", "--resize", "letterbox" }, "needs --size WxH")]
    [DataRow(new[] { "--model", "m", "--resize", "zoom" }, "'--resize' must be one of none, stretch, letterbox, pad32; got 'zoom'")]
    [DataRow(new[] { "--model", "m", "--provider", "tpu" }, "'--provider' must be one of cpu, cuda")]
    [DataRow(new[] { "--model", "m", "--std", "1,0,1" }, "'--std' needs values > 0")]
    [DataRow(new[] { "--model", "m", "--imagenet", "--mean", "0" }, "'--imagenet' cannot be combined")]
    [DataRow(new[] { "--model", "m", "--threshold", "2" }, "'--threshold' needs a number in 0..1")]
    public void BadModelSettingsAreUsageErrors(string[] args, string expected)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => ModelSettings.From(ParsedOptions.Parse(args, ModelSettings.Specs)));
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void EvalUsageErrorsExitOneWithTheUsage()
    {
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, "--model", "m.onnx", "--images", "i", "--masks", "m", "--classes", "3", "--reduction", "sideways");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "segml eval: option '--reduction' must be one of micro, macro, weighted, micro-imagewise");
        StringAssert.Contains(stderr, "Usage: segml eval");

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", "m.onnx", "--images", "i", "--classes", "3");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "option '--masks' is required");

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", "m.onnx", "--manifest", "x.csv", "--images", "i", "--classes", "3");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "'--manifest' replaces --images and --masks");

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", "m.onnx", "--manifest", "x.csv", "--classes", "a,b,a");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "names 'a' twice");

        (code, _, stderr) = Cli.Run(EvalCommand.Run, "--model", "m.onnx", "--manifest", "x.csv", "--classes", "3", "--ignore", "1");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "'--ignore' (1) must lie outside classes 0..2");

        (code, _, stderr) = Cli.Run(PredictCommand.Run, "--model", "m.onnx", "--images", "i");
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "segml predict: option '--out' is required");
    }

    [TestMethod]
    public void HelpPerCommandExitsZero()
    {
        (int code, string stdout, _) = Cli.Run(EvalCommand.Run, "--help");
        Assert.AreEqual(0, code);
        StringAssert.Contains(stdout, "Usage: segml eval");
        StringAssert.Contains(stdout, "--reduction name");
        (code, stdout, _) = Cli.Run(PredictCommand.Run, "-h");
        Assert.AreEqual(0, code);
        StringAssert.Contains(stdout, "--confidence");
    }

    [TestMethod]
    public void ProgressIsPeriodicLinesInALogAndNothingWhenQuiet()
    {
        var redirected = new StringWriter();
        using (var progress = new ProgressReporter(redirected, 20, interactive: false, "Evaluated"))
        {
            for (int i = 1; i <= 20; i++)
            {
                progress.Report(i, "img" + i);
            }

            progress.Finish(20);
        }

        string[] lines = redirected.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.IsFalse(redirected.ToString().Contains('\r'));
        StringAssert.StartsWith(lines[0], "Evaluated 2/20 (10%) img2");
        Assert.HasCount(10, lines, "a line per tenth but the last, then the count line");
        StringAssert.StartsWith(lines[^1], "Evaluated 20 of 20 images in");

        var quiet = new StringWriter();
        using (var progress = new ProgressReporter(quiet, 3, interactive: true, "Evaluated", quiet: true))
        {
            progress.Report(1, "a");
            progress.Finish(3);
        }

        Assert.AreEqual(string.Empty, quiet.ToString());
    }

    [TestMethod]
    public void ProgressOnATerminalDrawsABarThenTheCountLine()
    {
        var terminal = new StringWriter();
        using (var progress = new ProgressReporter(terminal, 4, interactive: true, "Evaluated"))
        {
            for (int i = 1; i <= 4; i++)
            {
                progress.Report(i, "[odd] name");
            }

            progress.Finish(4);
        }

        StringAssert.Contains(terminal.ToString(), "Evaluated 4 of 4 images in");
    }
}
