using System.Diagnostics;
using Microsoft.ML.Segmentation.Imaging;

namespace Microsoft.ML.Segmentation.Tests.Fuzzing;

/// <summary>
/// Feeds the deterministic <see cref="FuzzCorpus"/> through the image and mask loaders: every input must load or throw
/// a documented exception (<see cref="InvalidDataException"/>; for masks also the <see cref="InvalidMaskPixelException"/> (an <see cref="ArgumentException"/>) of
/// label and colour checks) within 5 s. CI runs 1,500 inputs; <c>SEGML_FUZZ_COUNT=10000 dotnet test --project
/// test/Microsoft.ML.Segmentation.Tests --filter FullyQualifiedName~Fuzz</c> runs the full corpus; SEGML_FUZZ_FROM picks the
/// first input, SEGML_FUZZ_SEED another corpus, SEGML_FUZZ_DUMP a folder that receives failing inputs.
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private const int CorpusSeed = 20261128;
    private const int DefaultCount = 1500;
    private static readonly TimeSpan s_perInputLimit = TimeSpan.FromSeconds(5);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void HostileFilesRaiseOnlyDocumentedExceptionsAndNeverHang()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("SEGML_FUZZ_COUNT"), out int n) && n > 0 ? n : DefaultCount;
        int first = int.TryParse(Environment.GetEnvironmentVariable("SEGML_FUZZ_FROM"), out int f) && f >= 0 ? f : 0;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SEGML_FUZZ_SEED"), out int s) ? s : CorpusSeed;
        var corpus = new FuzzCorpus(seed);
        string? dump = Environment.GetEnvironmentVariable("SEGML_FUZZ_DUMP"); // a folder: failing inputs are written there to reproduce

        // A lower limit than the default keeps absurd declared sizes from allocating hundreds of MB on a shared CI box;
        // the default limit itself is covered by HostileFileTests.
        const long maxPixels = 1 << 22;
        var images = new SegmentationImageLoader(new ImageTensorOptions { MaxPixels = maxPixels });
        SegmentationMaskLoader[] masks =
        [
            new(new MaskOptions { MaxPixels = maxPixels }),
            new(new MaskOptions { MaxPixels = maxPixels, ClassCount = 5 }),
            new(new MaskOptions { MaxPixels = maxPixels, Format = MaskFormat.Color, ColorTable = Palettes.PascalVoc, UnknownColorsAsIgnore = true }),
            new(new MaskOptions { MaxPixels = maxPixels, Format = MaskFormat.Binary }),
        ];

        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var timings = new List<(double Ms, int Index)>();
        var total = Stopwatch.StartNew();
        for (int i = first; i < first + count; i++)
        {
            byte[] data = corpus.Input(i);
            SegmentationMaskLoader maskLoader = masks[i % masks.Length];
            bool viaStream = i % 2 == 1;
            var watch = Stopwatch.StartNew();
            Task<(string Image, string Mask)> run = Task.Run(() => (
                Outcome(() => _ = viaStream ? images.Load(new MemoryStream(data)) : images.Load(data), mask: false),
                Outcome(() => _ = viaStream ? maskLoader.Load(new MemoryStream(data)) : maskLoader.Load(data), mask: true)));

            // A hang fails the test; the stuck worker cannot be stopped, but the process still reports it.
            if (!run.Wait(s_perInputLimit))
            {
                failures.Add($"input {i}: no result within {s_perInputLimit.TotalSeconds} s");
                Dump(dump, i, data);
                continue;
            }

            timings.Add((watch.Elapsed.TotalMilliseconds, i));

            foreach (string outcome in new[] { "image " + run.Result.Image, "mask " + run.Result.Mask })
            {
                if (outcome.Contains("UNDOCUMENTED", StringComparison.Ordinal))
                {
                    failures.Add($"input {i}: {outcome}");
                    Dump(dump, i, data);
                }

                outcomes[outcome.Split('|')[0]] = outcomes.GetValueOrDefault(outcome.Split('|')[0]) + 1;
            }
        }

        string slowest = string.Join(", ", timings.OrderByDescending(t => t.Ms).Take(5).Select(t => $"#{t.Index} {t.Ms:F0} ms"));
        TestContext.WriteLine($"{count} inputs from {first} (seed {seed}) in {total.Elapsed.TotalSeconds:F1} s; slowest: {slowest}; GCs gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        foreach ((string outcome, int times) in outcomes)
        {
            TestContext.WriteLine($"  {times,6} {outcome}");
        }

        Assert.IsEmpty(failures, $"{failures.Count} failures; the first ones:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
    }

    private static void Dump(string? folder, int index, byte[] data)
    {
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, $"fuzz-{index}.bin"), data);
        }
    }

    /// <summary>"loaded", "InvalidDataException(inner type)", "ArgumentException(mask)", or "UNDOCUMENTED ..." with the exception.</summary>
    private static string Outcome(Action load, bool mask)
    {
        try
        {
            load();
            return "loaded";
        }
        catch (InvalidDataException e)
        {
            return $"InvalidDataException({e.InnerException?.GetType().Name ?? "none"})";
        }
        catch (InvalidMaskPixelException e) when (mask && e.ParamName == "mask")
        {
            return "ArgumentException(mask)";
        }
        catch (Exception e)
        {
            return $"UNDOCUMENTED {e.GetType().Name}|: {e}";
        }
    }
}
