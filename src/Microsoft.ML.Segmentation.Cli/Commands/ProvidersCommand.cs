using System.Globalization;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// <c>segml providers</c>: loads a model on each requested execution provider, checks it really runs there (not on a
/// fallback), compares its outputs on a fixed random batch with the CPU's, and measures throughput with and without
/// IOBinding. Prints one JSON line per provider; <c>build/gpu-check.sh</c> runs it on a GPU host.
/// </summary>
internal static class ProvidersCommand
{
    public const string Synopsis = "segml providers --model m.onnx [--providers cpu,cuda,tensorrt] [--size 512] [--batch 4] [--iterations 20] [--trt-cache dir] [--fp16] [--tiled-image WxH]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("model", "file.onnx", "The ONNX segmentation model (required)."),
        new("providers", "list", "Comma-separated providers to check, in order: cpu, cuda, tensorrt. Default: cpu,cuda,tensorrt."),
        new("device", "n", "The GPU for cuda and tensorrt. Default: 0."),
        new("size", "n|WxH", "Input height and width (n for n×n); must fit the model's fixed sizes. Default: 512."),
        new("batch", "n", "Images per run. Default: 4."),
        new("channels", "n", "Input channels, for a model that leaves them dynamic. Default: the model's."),
        new("iterations", "n", "Timed runs per measurement. Default: 20."),
        new("warmup", "n", "Untimed runs before each measurement. Default: 3."),
        new("iobinding", "both|on|off", "Measure with IOBinding, without, or both (one extra load per provider). Default: both."),
        new("trt-cache", "dir", "TensorRT engine cache folder, so reruns skip the engine build. Default: none."),
        new("fp16", null, "Let TensorRT compute in half precision (outputs then differ more from the CPU's)."),
        new("seed", "n", "Seed of the random input, uniform in [-1,1). Default: 1."),
        new("threads", "n", "ONNX Runtime intra-op threads; 0 for its default. Default: 0."),
        new("input-name", "name", "The model input to feed. Default: found by shape."),
        new("output-name", "name", "The model output to read. Default: found by shape."),
        new("tiled-image", "WxH", "Also time sliding-window inference of one random WxH image per provider: --size windows, --batch of them per run, against the same runs alone (tiled_ms, tiled_runs_alone_ms, tiled_outside_runs_pct), labels compared with the CPU's tiled labels. Default: none."),
        new("tile-overlap", "f", "With --tiled-image: the fraction of a window neighbouring windows share, in [0, 1). Default: 0.25."),
        new("blend", "constant|gaussian", "With --tiled-image: how overlapping windows are weighted. Default: gaussian."),
        new("json", null, "Accepted for uniformity: the output is always JSON lines, one per provider."),
        .. CommonOptions.Specs,
    ];

    private static readonly Dictionary<string, OnnxExecutionProvider> s_providers = new()
    {
        ["cpu"] = OnnxExecutionProvider.Cpu,
        ["cuda"] = OnnxExecutionProvider.Cuda,
        ["tensorrt"] = OnnxExecutionProvider.TensorRT,
    };

    private static readonly Dictionary<string, bool?> s_ioBinding = new() { ["both"] = null, ["on"] = true, ["off"] = false };

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        _ = interactive; // one JSON line per provider is all the progress there is
        ProviderCheck check;
        try
        {
            ParsedOptions options = ParsedOptions.Parse(args, Specs);
            if (options.Has("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            check = Parse(options, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml providers: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            // A provider that fell back or failed is a failed check: exit code 1, like golden's failed cases.
            return check.Run(stdout) ? ExitCodes.Ok : ExitCodes.BadInput;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The CPU reference itself failed: the model, not a provider, is the problem.
            stderr.WriteLine($"segml providers: --model: {CliMessages.Describe(e)}");
            return ExitCodes.BadInput;
        }
        catch (TypeInitializationException e) when (e.InnerException is { } cause)
        {
            // ONNX Runtime binds its native library on first use: a missing, broken or other-version
            // libonnxruntime.so (the one gpu-check.sh links in) surfaces here, before any provider is tried.
            stderr.WriteLine($"segml providers: ONNX Runtime's native library could not be loaded (it must be version 1.31): {cause.GetType().Name}: {cause.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static ProviderCheck Parse(ParsedOptions options, TextWriter stderr)
    {
        string model = options.Require("model");
        var providers = new List<OnnxExecutionProvider>();
        foreach (string name in (options.Get("providers") ?? "cpu,cuda,tensorrt").Split(',', StringSplitOptions.TrimEntries))
        {
            if (!s_providers.TryGetValue(name.ToLowerInvariant(), out OnnxExecutionProvider provider))
            {
                throw new UsageException($"option '--providers' takes {string.Join(", ", s_providers.Keys)}; got '{name}'.");
            }

            if (providers.Contains(provider))
            {
                throw new UsageException($"option '--providers' names '{name}' more than once.");
            }

            providers.Add(provider);
        }

        (int height, int width) = ParseSize(options.Get("size") ?? "512", "size");
        int batch = options.GetInt("batch", 4, 1, 4096);
        int? channels = options.Has("channels") ? options.GetInt("channels", 3, 1, 4096) : null;
        var session = new OnnxSessionOptions
        {
            IntraOpThreads = options.GetInt("threads", 0, 0, 1024),
            InputName = options.Get("input-name"),
            OutputName = options.Get("output-name"),
            InputChannels = channels,
            Log = message => stderr.WriteLine(message),
        };
        return new ProviderCheck
        {
            ModelPath = model,
            Providers = providers,
            Device = options.GetInt("device", 0, 0, 1024),
            Height = height,
            Width = width,
            Batch = batch,
            Iterations = options.GetInt("iterations", 20, 1, 1_000_000),
            Warmup = options.GetInt("warmup", 3, 0, 1_000_000),
            IoBinding = options.GetChoice("iobinding", (bool?)null, s_ioBinding),
            TensorRTCache = options.Get("trt-cache"),
            Fp16 = options.Has("fp16") ? true : null,
            Seed = options.GetInt("seed", 1),
            Tiled = ParseTiled(options, height, width, batch),
            Session = session,
        };
    }

    /// <summary>--tiled-image and its companions (a companion without it is a usage error, never ignored).</summary>
    private static TiledProviderTiming? ParseTiled(ParsedOptions options, int windowHeight, int windowWidth, int windowsPerRun)
    {
        if (options.Get("tiled-image") is not { } text)
        {
            string? orphan = new[] { "tile-overlap", "blend" }.FirstOrDefault(options.Has);
            return orphan is null ? null : throw new UsageException($"option '--{orphan}' needs --tiled-image WxH.");
        }

        (int height, int width) = ParseSize(text, "tiled-image");
        return new TiledProviderTiming
        {
            Height = height,
            Width = width,
            Tiling = new TilingOptions
            {
                TileSize = [windowHeight, windowWidth],
                Overlap = [options.GetDouble("tile-overlap", 0, 1, maxInclusive: false) ?? 0.25],
                Blend = options.GetChoice("blend", TileBlend.Gaussian, ModelSettings.Blends),
                TilesPerRun = windowsPerRun,
            },
        };
    }

    private static (int Height, int Width) ParseSize(string text, string option)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1 || values[i] > 16384)
            {
                values = [];
                break;
            }
        }

        return values.Length switch
        {
            1 => (values[0], values[0]),
            2 => (values[1], values[0]),
            _ => throw new UsageException($"option '--{option}' needs n or WIDTHxHEIGHT in 1..16384, e.g. 512 or 640x480; got '{text}'."),
        };
    }
}
