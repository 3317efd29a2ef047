namespace Microsoft.ML.Segmentation.Tests.Support;

/// <summary>
/// Locates the read-only <c>shared/</c> folder that sits beside the repository (peer-library vectors, fixtures).
/// Tests that need it call <see cref="RequireDirectory"/>, which marks them inconclusive with a clear message when
/// the folder is absent (a clone elsewhere), so the rest of the suite still runs.
/// </summary>
internal static class SharedData
{
    public static string? Root { get; } = Find();

    public static string RequireDirectory(string relative)
    {
        if (Root is null)
        {
            Assert.Inconclusive("Skipped: the shared/ folder beside the repository (peer vectors and fixtures) is absent. Set SEGML_SHARED to its path to run this test.");
        }

        string path = Path.Combine(Root, relative);
        if (!Directory.Exists(path))
        {
            Assert.Inconclusive($"Skipped: {path} does not exist.");
        }

        return path;
    }

    private static string? Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("SEGML_SHARED");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        // Walk up from the test binaries to the repository root (the folder holding SegML.sln); shared/ is its sibling.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegML.sln")))
            {
                string candidate = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
