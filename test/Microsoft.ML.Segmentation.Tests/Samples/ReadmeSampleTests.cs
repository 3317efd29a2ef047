using System.Reflection;
using System.Text.Json;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Samples;

/// <summary>
/// The README's C# examples that are marked <c>&lt;!-- sample: path --&gt;</c> are, text for text, the
/// <c>// &lt;readme&gt;</c> region of that sample file, which the solution build compiles; and the two samples run
/// on the LR-ASPP fixture (inconclusive without <c>../shared</c>).
/// </summary>
[TestClass]
public sealed class ReadmeSampleTests
{
    private const string Marker = "<!-- sample: ";

    private static string RepositoryRoot { get; } = FindRoot();

    [TestMethod]
    public void EveryMarkedReadmeBlockIsItsSamplesCode()
    {
        string readme = Normalize(File.ReadAllText(Path.Combine(RepositoryRoot, "README.md")));
        var checkedSamples = new List<string>();
        for (int at = readme.IndexOf(Marker, StringComparison.Ordinal); at >= 0; at = readme.IndexOf(Marker, at + 1, StringComparison.Ordinal))
        {
            int end = readme.IndexOf(" -->", at, StringComparison.Ordinal);
            string sample = readme[(at + Marker.Length)..end];
            int fence = readme.IndexOf("```csharp\n", end, StringComparison.Ordinal);
            Assert.IsTrue(fence >= 0 && readme[end..fence].Trim() == "-->", $"The marker for {sample} must be followed by a ```csharp block.");
            int codeStart = fence + "```csharp\n".Length;
            string block = readme[codeStart..readme.IndexOf("```\n", codeStart, StringComparison.Ordinal)];

            string source = Normalize(File.ReadAllText(Path.Combine(RepositoryRoot, sample)));
            const string begin = "// <readme>\n", finish = "// </readme>\n";
            int regionStart = source.IndexOf(begin, StringComparison.Ordinal);
            Assert.IsTrue(regionStart >= 0, $"{sample} has no '// <readme>' line.");
            regionStart += begin.Length;
            string region = source[regionStart..source.IndexOf(finish, regionStart, StringComparison.Ordinal)];
            Assert.AreEqual(region, block, $"README's block for {sample} differs from the sample's marked region: copy one onto the other.");
            checkedSamples.Add(sample);
        }

        CollectionAssert.AreEquivalent(
            new[] { "samples/Pipeline/Program.cs", "samples/PredictionEngine/SegmentationPredictor.cs" }, checkedSamples);
    }

    [TestMethod]
    public void PipelineSampleRunsOnTheFixtureAndPrintsItsConfusion()
    {
        string fixture = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string output = RunEntryPoint(Assembly.Load("Pipeline"),
            Path.Combine(fixture, "images"), Path.Combine(fixture, "masks"), Path.Combine(fixture, "model.onnx"));

        // The LR-ASPP fixture's reference confusion (PyTorch's), row by row, as the sample's table prints it.
        using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture, "reference.json")));
        string[] classes = ["background", "disc", "box", "triangle", "ring"];
        string[] lines = output.Split('\n');
        int row = 0;
        foreach (JsonElement counts in reference.RootElement.GetProperty("confusion_rows_truth_cols_pred").EnumerateArray())
        {
            string line = lines.Single(l => l.TrimStart().StartsWith(classes[row] + " ||", StringComparison.Ordinal));
            long[] printed = line.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..^1].Select(long.Parse).ToArray();
            CollectionAssert.AreEqual(counts.EnumerateArray().Select(c => c.GetInt64()).ToArray(), printed, line);
            row++;
        }

        Assert.AreEqual(classes.Length, row);
    }

    [TestMethod]
    public void PredictionEngineSampleGivesConsistentColumnsForOneImage()
    {
        string fixture = SharedData.RequireDirectory("fixtures/scenes-lraspp");
        string[] classes = ["background", "disc", "box", "triangle", "ring"];
        using var predictor = new SegmentationPredictor(Path.Combine(fixture, "model.onnx"), classes);
        SegmentationPrediction p = predictor.Predict(Path.Combine(fixture, "images", "scene_001.png"), Path.Combine(fixture, "masks", "scene_001.png"));

        Assert.AreEqual(160 * 224, p.PredictedMask.Length);
        Assert.HasCount(p.PredictedMask.Length, p.Mask);
        Assert.HasCount(classes.Length * p.PredictedMask.Length, p.Scores);
        Assert.IsTrue(float.IsFinite(p.CrossEntropy) && p.CrossEntropy > 0, $"cross-entropy {p.CrossEntropy}");
        Assert.IsTrue(p.Dice is > 0 and < 1, $"Dice loss {p.Dice}");
        Assert.IsTrue(p.Mask.All(k => k <= classes.Length) && p.Mask.Any(k => k > 1), "the mask holds foreground keys");

        // PredictedMask is the argmax of Scores (key = class + 1), pixel for pixel.
        int pixels = p.PredictedMask.Length;
        for (int i = 0; i < pixels; i++)
        {
            int best = 0;
            for (int c = 1; c < classes.Length; c++)
            {
                if (p.Scores[(c * pixels) + i] > p.Scores[(best * pixels) + i])
                {
                    best = c;
                }
            }

            Assert.AreEqual((uint)(best + 1), p.PredictedMask[i], $"pixel {i}");
        }

        string output = RunEntryPoint(typeof(SegmentationPredictor).Assembly,
            Path.Combine(fixture, "model.onnx"), Path.Combine(fixture, "images"), Path.Combine(fixture, "masks"));
        StringAssert.Contains(output, "scene_000.png: 16384 pixels, accuracy ");
        StringAssert.Contains(output, "5 score channels");
    }

    private static string RunEntryPoint(Assembly sample, params string[] args)
    {
        MethodInfo main = sample.EntryPoint ?? throw new InvalidOperationException($"{sample.GetName().Name} has no entry point.");
        TextWriter console = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            object? code = main.Invoke(null, [args]);
            Assert.IsTrue(code is null or 0, $"{sample.GetName().Name} exited with {code}: {captured}");
        }
        finally
        {
            Console.SetOut(console);
        }

        return Normalize(captured.ToString());
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegML.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SegML.sln not found above the test binaries.");
    }
}
