using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary><c>segml eval</c>/<c>predict</c> with bad files mid-run (<c>--skip-bad</c>) and with Ctrl+C (an in-process token).</summary>
[TestClass]
public sealed class FaultsCommandTests
{
    /// <summary>Five pairs a–e; c's image and d's mask are corrupt (they exist, so pairing succeeds, and fail when read).</summary>
    private static GeneratedDataset CreateDataset()
    {
        var data = new GeneratedDataset(("a", 7, 5), ("b", 6, 6), ("c", 9, 4), ("d", 5, 5), ("e", 8, 3));
        File.WriteAllBytes(Path.Combine(data.Images, "c.png"), [0x89, 0x50, 0x4E, 0x47, 9, 9, 9]);
        File.WriteAllText(Path.Combine(data.Masks, "d.png"), "not a png");
        return data;
    }

    private static string[] Eval(GeneratedDataset data, string images, string masks, string json, params string[] extra)
        => ["--model", data.Model, "--images", images, "--masks", masks, "--classes", "bg,a,b,c", "--json", json, .. extra];

    [TestMethod]
    public void EvalSkipBadListsTheBadImagesAndEqualsEvaluatingTheGoodOnes()
    {
        using GeneratedDataset data = CreateDataset();
        string json = data.File("skip.json");
        (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, data.Images, data.Masks, json, "--skip-bad"));
        Assert.AreEqual(ExitCodes.Ok, code, stderr);
        StringAssert.Contains(stdout, "2 image(s) skipped");
        StringAssert.Contains(stderr, "skipped c");

        // The same evaluation over copies of the good pairs alone.
        string goodImages = data.Sub("good-images"), goodMasks = data.Sub("good-masks");
        foreach (string name in new[] { "a", "b", "e" })
        {
            File.Copy(Path.Combine(data.Images, name + ".png"), Path.Combine(goodImages, name + ".png"));
            File.Copy(Path.Combine(data.Masks, name + ".png"), Path.Combine(goodMasks, name + ".png"));
        }

        string goodJson = data.File("good.json");
        (int goodCode, _, string goodErr) = Cli.Run(EvalCommand.Run, Eval(data, goodImages, goodMasks, goodJson));
        Assert.AreEqual(ExitCodes.Ok, goodCode, goodErr);

        using JsonDocument skipped = JsonDocument.Parse(File.ReadAllText(json));
        using JsonDocument good = JsonDocument.Parse(File.ReadAllText(goodJson));
        JsonElement root = skipped.RootElement;
        Assert.IsFalse(root.GetProperty("partial").GetBoolean());
        Assert.AreEqual(3, root.GetProperty("imageCount").GetInt32());
        Assert.AreEqual(5, root.GetProperty("imagesGiven").GetInt32());
        foreach (string metric in new[] { "pixelCount", "meanIoU", "meanDice", "pixelAccuracy", "confusionMatrix", "meanCrossEntropy" })
        {
            Assert.AreEqual(good.RootElement.GetProperty(metric).GetRawText(), root.GetProperty(metric).GetRawText(), metric);
        }

        JsonElement[] list = root.GetProperty("skipped").EnumerateArray().ToArray();
        CollectionAssert.AreEqual(new[] { "c", "d" }, list.Select(e => e.GetProperty("name").GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 3 }, list.Select(e => e.GetProperty("row").GetInt32()).ToArray());
        StringAssert.Contains(list[0].GetProperty("reason").GetString(), "c.png");
        StringAssert.Contains(list[1].GetProperty("reason").GetString(), "d.png");
    }

    [TestMethod]
    public void EvalWithoutSkipBadStopsAtTheFirstBadFileAndNamesIt()
    {
        using GeneratedDataset data = CreateDataset();
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, Eval(data, data.Images, data.Masks, data.File("m.json")));
        Assert.AreEqual(ExitCodes.BadInput, code);
        StringAssert.Contains(stderr, "c.png");
        Assert.IsFalse(File.Exists(data.File("m.json")));
    }

    [TestMethod]
    public void EvalCancelledMidRunWritesPartialMetricsAndExits130()
    {
        using GeneratedDataset data = CreateDataset();
        string json = data.File("partial.json");
        using var cancel = new CancellationTokenSource();

        // "Ctrl+C" as c is skipped: the run stops before d, with a and b evaluated.
        var stderr = new CancelOnWrite("skipped c", cancel);
        var stdout = new StringWriter();
        int code = EvalCommand.Run(Eval(data, data.Images, data.Masks, json, "--skip-bad"), stdout, stderr, false, cancel.Token);
        Assert.AreEqual(ExitCodes.Cancelled, code, stderr.ToString());
        Assert.AreEqual(130, ExitCodes.Cancelled);
        StringAssert.Contains(stdout.ToString(), "PARTIAL");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = doc.RootElement;
        Assert.IsTrue(root.GetProperty("partial").GetBoolean());
        Assert.AreEqual(2, root.GetProperty("imageCount").GetInt32());
        Assert.AreEqual(3, root.GetProperty("imagesDone").GetInt32());
        Assert.AreEqual(5, root.GetProperty("imagesGiven").GetInt32());
        Assert.AreEqual("c", root.GetProperty("skipped")[0].GetProperty("name").GetString());
    }

    [TestMethod]
    public void EvalCancelledBeforeAnyImageWritesAPartialDocumentWithoutMetrics()
    {
        using GeneratedDataset data = CreateDataset();
        string json = data.File("none.json");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        int code = EvalCommand.Run(Eval(data, data.Images, data.Masks, json), new StringWriter(), new StringWriter(), false, cancel.Token);
        Assert.AreEqual(ExitCodes.Cancelled, code);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.IsTrue(doc.RootElement.GetProperty("partial").GetBoolean());
        Assert.AreEqual(0, doc.RootElement.GetProperty("imagesDone").GetInt32());
    }

    [TestMethod]
    public void PredictSkipBadListsTheBadImageAndWritesTheOthers()
    {
        using GeneratedDataset data = CreateDataset();
        string output = data.Sub("out");
        (int code, string stdout, string stderr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", output, "--json", "--skip-bad");
        Assert.AreEqual(ExitCodes.Ok, code, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.IsFalse(doc.RootElement.GetProperty("partial").GetBoolean());
        Assert.AreEqual(4, doc.RootElement.GetProperty("images").GetArrayLength());
        JsonElement skipped = doc.RootElement.GetProperty("skipped").EnumerateArray().Single();
        StringAssert.EndsWith(skipped.GetProperty("name").GetString(), "c.png");
        StringAssert.Contains(skipped.GetProperty("reason").GetString(), "c.png");
        Assert.IsFalse(File.Exists(Path.Combine(output, "c.png")));
        Assert.IsTrue(File.Exists(Path.Combine(output, "e.png")));

        (int failCode, _, string failErr) = Cli.Run(PredictCommand.Run, "--model", data.Model, "--images", data.Images, "--out", data.Sub("out2"));
        Assert.AreEqual(ExitCodes.BadInput, failCode);
        StringAssert.Contains(failErr, "c.png");
    }

    [TestMethod]
    public void PredictCancelledStopsAndSaysPartial()
    {
        using GeneratedDataset data = CreateDataset();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var stdout = new StringWriter();
        int code = PredictCommand.Run(["--model", data.Model, "--images", data.Images, "--out", data.Sub("out"), "--json"], stdout, new StringWriter(), false, cancel.Token);
        Assert.AreEqual(ExitCodes.Cancelled, code);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        Assert.IsTrue(doc.RootElement.GetProperty("partial").GetBoolean());
        Assert.AreEqual(0, doc.RootElement.GetProperty("images").GetArrayLength());
    }

    /// <summary>A stderr that cancels when a line containing <paramref name="trigger"/> is written: Ctrl+C at a known point.</summary>
    private sealed class CancelOnWrite(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger, StringComparison.Ordinal) == true)
            {
                cancel.Cancel();
            }
        }
    }
}
