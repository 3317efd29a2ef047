using System.Text.Json;
using Microsoft.ML.Segmentation.Cli.Commands;
using Microsoft.ML.Segmentation.Evaluation;

namespace Microsoft.ML.Segmentation.Tests.Cli;

/// <summary>
/// <c>segml eval --shard i/n --state</c> then <c>segml merge</c>: the merged report (text and every field of the JSON)
/// is byte for byte the report of one <c>segml eval</c> over the whole dataset.
/// </summary>
[TestClass]
public sealed class MergeCommandTests
{
    private static GeneratedDataset Data() => new(("a", 7, 5), ("b", 6, 6), ("c", 9, 4), ("d", 5, 8), ("e", 8, 7), ("f", 4, 4), ("g", 6, 9));

    private static string[] EvalArgs(GeneratedDataset data, params string[] extra) =>
        ["--model", data.Model, "--images", data.Images, "--masks", data.Masks, "--classes", "bg,a,b,c", "--boundary", "--calibration", "--reduction", "macro-imagewise", "--quiet", .. extra];

    private static string[] Shards(GeneratedDataset data, int n, string prefix = "part", params string[] extra)
    {
        var files = new string[n];
        for (int i = 0; i < n; i++)
        {
            files[i] = data.File($"{prefix}{i}of{n}.json");
            (int code, string stdout, string stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data, ["--shard", $"{i}/{n}", "--state", files[i], .. extra]));
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "State written to " + files[i]);
        }

        return files;
    }

    [TestMethod]
    public void MergedShardsPrintAndWriteExactlyWhatOneEvalDoes()
    {
        using GeneratedDataset data = Data();
        (int code, string singleText, string stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data));
        Assert.AreEqual(0, code, stderr);
        (code, string singleJson, stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data, "--json", "-"));
        Assert.AreEqual(0, code, stderr);
        using (JsonDocument doc = JsonDocument.Parse(singleJson))
        {
            Assert.IsTrue(doc.RootElement.GetProperty("perClass").TryGetProperty("hausdorff", out _), "boundary metrics are compared too");
            Assert.IsTrue(doc.RootElement.TryGetProperty("calibration", out _), "calibration is compared too");
            Assert.AreNotEqual(JsonValueKind.Null, doc.RootElement.GetProperty("meanCrossEntropy").ValueKind);
        }

        foreach (int n in new[] { 1, 2, 3, 5 })
        {
            // Given out of order, as a shell glob of part10, part2, … would.
            string[] files = Shards(data, n).Reverse().ToArray();
            (code, string mergedText, stderr) = Cli.Run(MergeCommand.Run, files);
            Assert.AreEqual(0, code, stderr);
            Assert.AreEqual(singleText, mergedText, $"{n} shards: text report");
            (code, string mergedJson, stderr) = Cli.Run(MergeCommand.Run, [.. files, "--json", "-"]);
            Assert.AreEqual(0, code, stderr);
            Assert.AreEqual(singleJson, mergedJson, $"{n} shards: JSON document");

            string outFile = data.File($"merged{n}.json");
            (code, string withFile, stderr) = Cli.Run(MergeCommand.Run, ["--json", outFile, .. files]);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(withFile, "Metrics written to " + outFile);
            Assert.AreEqual(singleJson.TrimEnd(), File.ReadAllText(outFile).TrimEnd(), $"{n} shards: JSON file");

            // The API view of the same files: the library state inside each part merges to the same metrics.
            SegmentationEvaluationState[] states = files.Select(f => SegmentationEvaluationState.FromJson(JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("state").GetRawText())).ToArray();
            Assert.AreEqual(7, SegmentationEvaluationState.Merge(states).ImageCount);
        }
    }

    [TestMethod]
    public void AnEmptyShardWritesAStateThatCompletesTheSet()
    {
        using var data = new GeneratedDataset(("a", 5, 5), ("b", 6, 4));
        (int code, string single, string stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data));
        Assert.AreEqual(0, code, stderr);
        string[] files = Shards(data, 3);
        (code, string merged, stderr) = Cli.Run(MergeCommand.Run, files);
        Assert.AreEqual(0, code, stderr);
        Assert.AreEqual(single, merged);
    }

    [TestMethod]
    public void MissingOrDuplicatedShardsExitOneUnlessIncompleteIsAllowed()
    {
        using GeneratedDataset data = Data();
        string[] files = Shards(data, 3);
        (int code, string stdout, string stderr) = Cli.Run(MergeCommand.Run, files[0], files[2]);
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "1/3 missing");

        (code, stdout, stderr) = Cli.Run(MergeCommand.Run, files[0], files[2], "--allow-incomplete");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "warning: shard(s) 1/3 missing");
        StringAssert.Contains(stdout, "image(s), 4 classes");

        (code, _, stderr) = Cli.Run(MergeCommand.Run, files[0], files[1], files[1], files[2]);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "1/3 is given twice");
        StringAssert.Contains(stderr, files[1]);
    }

    [TestMethod]
    public void ShardsOfDifferentRunsAreRejectedNamingTheDifference()
    {
        using GeneratedDataset data = Data();
        string[] macro = Shards(data, 2);
        string[] micro = Shards(data, 2, "mean", "--mean", "0.5");
        (int code, _, string stderr) = Cli.Run(MergeCommand.Run, macro[0], micro[1]);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "option mean");

        string[] thirds = Shards(data, 3, "third");
        (code, _, stderr) = Cli.Run(MergeCommand.Run, macro[0], thirds[1]);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "different numbers of shards");
    }

    [TestMethod]
    public void BadCommandLinesExitOne()
    {
        using GeneratedDataset data = Data();
        (int code, _, string stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data, "--shard", "0/2"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "'--shard' needs --state");
        foreach (string bad in new[] { "2/2", "1", "a/b", "0/0", "-1/2" })
        {
            (code, _, stderr) = Cli.Run(EvalCommand.Run, EvalArgs(data, "--shard", bad, "--state", data.File("x.json")));
            Assert.AreEqual(1, code, bad);
            StringAssert.Contains(stderr, "option '--shard' needs i/n", bad);
        }

        (code, _, stderr) = Cli.Run(MergeCommand.Run);
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "no state files given");

        File.WriteAllText(data.File("not-a-state.json"), "{\"hello\": 1}");
        (code, _, stderr) = Cli.Run(MergeCommand.Run, data.File("not-a-state.json"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(stderr, "not-a-state.json");
    }
}
