using System.Reflection;

namespace Microsoft.ML.Segmentation.GoldenVectors;

/// <summary>Totals of one run.</summary>
internal sealed record GoldenSummary(int Passed, int Failed, int Unsupported, IReadOnlyList<GoldenResult> Results)
{
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Unsupported} unsupported";
}

/// <summary>One case's outcome with where it came from.</summary>
internal sealed record GoldenResult(string File, string CaseId, GoldenOutcome Outcome);

/// <summary>
/// Runs every case of every <c>*.json</c> file in a directory through the handler that understands the file's
/// callable. Handlers are discovered by reflection, so adding one is adding a class.
/// </summary>
internal static class GoldenRunner
{
    private static readonly IReadOnlyList<IGoldenHandler> Handlers = typeof(GoldenRunner).Assembly.GetTypes()
        .Where(t => typeof(IGoldenHandler).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (IGoldenHandler)Activator.CreateInstance(t, nonPublic: true)!)
        .ToList();

    /// <summary>Runs every file in <paramref name="directory"/>; <paramref name="fileDone"/> hears (done, total, name) after each file.</summary>
    public static GoldenSummary Run(string directory, TextWriter? log, Action<int, int, string>? fileDone = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Golden directory '{directory}' does not exist.");
        }

        var results = new List<GoldenResult>();
        string[] paths = Directory.GetFiles(directory, "*.json").OrderBy(p => p, StringComparer.Ordinal).ToArray();
        for (int i = 0; i < paths.Length; i++)
        {
            results.AddRange(RunFile(paths[i], log));
            fileDone?.Invoke(i + 1, paths.Length, Path.GetFileName(paths[i]));
        }

        int passed = results.Count(r => r.Outcome.Status == GoldenStatus.Passed);
        int failed = results.Count(r => r.Outcome.Status == GoldenStatus.Failed);
        int unsupported = results.Count(r => r.Outcome.Status == GoldenStatus.Unsupported);
        return new GoldenSummary(passed, failed, unsupported, results);
    }

    public static IEnumerable<GoldenResult> RunFile(string path, TextWriter? log)
    {
        GoldenFile file;
        try
        {
            file = GoldenFile.Load(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            var broken = new GoldenResult(Path.GetFileName(path), "(file)", GoldenOutcome.Failed($"cannot read: {ex.Message}"));
            Write(log, broken);
            return new[] { broken };
        }

        IGoldenHandler? handler = Handlers.FirstOrDefault(h => h.CanRun(file));
        var results = new List<GoldenResult>();
        foreach (GoldenCase testCase in file.Cases)
        {
            GoldenOutcome outcome;
            if (handler is null)
            {
                outcome = GoldenOutcome.Unsupported($"no handler for {file.Library}: {file.Callable}");
            }
            else
            {
                try
                {
                    outcome = handler.Run(testCase);
                }
                catch (NotSupportedException ex)
                {
                    // A preset refuses a peer parameter value it cannot reproduce: the case is out of scope, not wrong.
                    outcome = GoldenOutcome.Unsupported($"{ex.GetType().Name}: {ex.Message}");
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidDataException or InvalidOperationException or KeyNotFoundException or FormatException)
                {
                    outcome = GoldenOutcome.Failed($"{ex.GetType().Name}: {ex.Message}");
                }
            }

            var result = new GoldenResult(file.Name, testCase.Id, outcome);
            Write(log, result);
            results.Add(result);
        }

        return results;
    }

    private static void Write(TextWriter? log, GoldenResult result)
    {
        if (log is null)
        {
            return;
        }

        string status = result.Outcome.Status switch
        {
            GoldenStatus.Passed => "PASS",
            GoldenStatus.Failed => "FAIL",
            _ => "SKIP",
        };
        log.WriteLine($"{status} {result.File} :: {result.CaseId} — {result.Outcome.Message}");
    }
}
