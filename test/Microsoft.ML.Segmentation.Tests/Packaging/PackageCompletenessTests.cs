using System.Diagnostics;

namespace Microsoft.ML.Segmentation.Tests.Packaging;

/// <summary>
/// The NuGet package as a user gets it: <c>build/package-check.sh</c> packs Microsoft.ML.Segmentation and the export
/// package (from this test run's own build) into a temporary folder feed, checks their contents (README, XML docs,
/// licence, lib/net10.0, symbols package), then builds and runs a fresh console application outside the repository
/// that references the package from that feed and checks what it prints. About 10 s with a warm SDK.
/// </summary>
[TestClass]
public sealed class PackageCompletenessTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [TestMethod]
    public void PackedLibraryIsCompleteAndRunsInAFreshApplication()
    {
        string? root = FindRepositoryRoot();
        if (root is null)
        {
            Assert.Inconclusive("Skipped: the test binaries are not inside the repository (no SegML.sln above them).");
        }

        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(root, "build", "package-check.sh"));
        start.ArgumentList.Add("--no-build");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Configuration);

        // The SDK that runs the tests may hand MSBuild settings down; the fresh project must not inherit them.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(name);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("build/package-check.sh did not finish in 8 minutes.");
        }

        string output = stdout.Result + stderr.Result;
        Assert.AreEqual(0, process.ExitCode, output);
        string[] lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        CollectionAssert.Contains(lines, "cross-entropy 0.693147", output);
        CollectionAssert.Contains(lines, "iou 1.000,1.000", output);
        CollectionAssert.Contains(lines, "pairs a,b", output);
        Assert.AreEqual("package check: passed", lines[^1], output);
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegML.sln")) && File.Exists(Path.Combine(dir.FullName, "build", "package-check.sh")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
