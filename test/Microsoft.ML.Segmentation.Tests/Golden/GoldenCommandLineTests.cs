using System.Text.Json;
using Microsoft.ML.Segmentation.GoldenVectors;
using Microsoft.ML.Segmentation.Tests.Support;

namespace Microsoft.ML.Segmentation.Tests.Golden;

/// <summary>
/// The peer-vector runner's command line (what CI and <c>dotnet run --project test/Microsoft.ML.Segmentation.GoldenVectors</c>
/// see): one line per case and the totals, exit code 1 only for a failed case or bad arguments, a case no handler
/// understands listed as unsupported, and <c>--json</c> alone on stdout.
/// </summary>
[TestClass]
public sealed class GoldenCommandLineTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = GoldenCommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [TestMethod]
    public void JsonHasTheTotalsAndEveryCase()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("broken.json"), "{ not json");
        (int code, string stdout, string stderr) = Run(temp.Sub("."), "--json");
        Assert.AreEqual(1, code, "an unreadable file is a failed case");
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.AreEqual(1, doc.RootElement.GetProperty("failed").GetInt32());
        JsonElement only = doc.RootElement.GetProperty("cases").EnumerateArray().Single();
        Assert.AreEqual("failed", only.GetProperty("status").GetString());
        Assert.AreEqual("broken.json", only.GetProperty("file").GetString());
        Assert.AreEqual(string.Empty, stderr);
    }

    [TestMethod]
    public void ACaseWithoutAHandlerIsListedAsUnsupportedAndExitsZero()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("unknown.json"), """
            {"library": "NoSuchLibrary", "callable": "nosuch.Loss", "cases": [{"id": "first", "inputs": {}, "expected": 1.0}]}
            """);
        (int code, string stdout, string stderr) = Run(temp.Path);
        Assert.AreEqual(0, code, stderr);
        string[] lines = stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines, stdout);
        StringAssert.StartsWith(lines[0], "SKIP unknown.json :: first — no handler for NoSuchLibrary: nosuch.Loss");
        Assert.AreEqual("0 passed, 0 failed, 1 unsupported", lines[1]);
    }

    [TestMethod]
    public void AFailedCaseIsPrintedAndExitsOne()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("broken.json"), "{ not json");
        (int code, string stdout, _) = Run(temp.Path);
        Assert.AreEqual(1, code);
        StringAssert.StartsWith(stdout, "FAIL broken.json :: (file) — cannot read:");
        StringAssert.EndsWith(stdout, "0 passed, 1 failed, 0 unsupported" + Environment.NewLine);
    }

    [TestMethod]
    public void AMissingDirectoryExitsOneWithAMessage()
    {
        using var temp = new TempDirectory();
        string missing = temp.File("no-golden");
        (int code, string stdout, string stderr) = Run(missing);
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, $"'{missing}' does not exist");
    }

    [TestMethod]
    public void BadArgumentsExitOneWithTheUsageAndHelpExitsZero()
    {
        (int code, string stdout, string stderr) = Run();
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "expected one directory argument");
        StringAssert.Contains(stderr, "Usage:");

        (code, stdout, stderr) = Run(".", "--no-such-option");
        Assert.AreEqual(1, code);
        Assert.AreEqual(string.Empty, stdout);
        StringAssert.Contains(stderr, "unknown option '--no-such-option'");

        (code, stdout, stderr) = Run("--help");
        Assert.AreEqual(0, code);
        Assert.AreEqual(string.Empty, stderr);
        StringAssert.Contains(stdout, "--json");
    }
}
