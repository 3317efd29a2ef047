using System.Globalization;
using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Tiling;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>The model and preprocessing options <c>segml eval</c> and <c>segml predict</c> share, and what they become.</summary>
internal sealed class ModelSettings
{
    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("model", "file.onnx", "The ONNX segmentation model (required)."),
        new("images", "dir", "The folder of images (required unless --manifest)."),
        new("recursive", null, "Search sub-folders of --images (and --masks) too."),
        new("mean", "r,g,b", "Per-channel mean subtracted after scaling, RGB order (one value for all). Default: 0."),
        new("std", "r,g,b", "Per-channel std divided by, RGB order (one value for all). Default: 1."),
        new("imagenet", null, "Shorthand for the ImageNet --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225."),
        new("scale-to-unit", "true|false", "Divide pixels by 255 before normalising. Default: true."),
        new("bgr", null, "Feed the channels in BGR order (mean and std stay in RGB order)."),
        new("input-name", "name", "The model input to feed. Default: found by shape."),
        new("output-name", "name", "The model output to read. Default: found by shape."),
        new("size", "WxH", "Model input size for --resize stretch or letterbox."),
        new("resize", "mode", "none, stretch, letterbox or pad32. Default: none (stretch when --size is given)."),
        new("pad-value", "v", "Value of letterbox/pad32 padding in the input tensor. Default: 0."),
        new("threshold", "t", "Foreground threshold of one-channel models, a probability strictly between 0 and 1 (compared with the logit when the model outputs logits). Default: 0.5."),
        new("provider", "cpu|cuda|tensorrt", "Execution provider (a missing GPU provider falls back to the CPU, logged). Default: cpu."),
        new("threads", "n", "ONNX Runtime intra-op threads; 0 for its default. Default: 0."),
        new("concurrent-runs", "n", "ONNX Runtime runs in flight at once, each over its own images; 0 picks 2 on a CPU of 2 or more cores with --threads 0 (then cores/2 threads each), else 1. Default: 0."),
        new("tile", "WxH", "Score each image window by window (sliding-window inference, MONAI's semantics) with WxH tiles; for images larger than the model's training crops. predict streams the mask band by band (no full tensor or scores; with --resize none); eval holds the full scores. Default: none (each image in one run)."),
        new("tile-overlap", "f", "With --tile: the fraction of a tile neighbouring windows share, in [0, 1). Default: 0.25."),
        new("blend", "constant|gaussian", "With --tile: how overlapping windows are weighted. Default: constant."),
        new("sigma-scale", "s", "With --tile --blend gaussian: sigma as a fraction of the tile size. Default: 0.125."),
        new("tile-batch", "n", "With --tile: windows per ONNX Runtime run. Default: 4."),
        new("tta", "none|hflip|vflip|flip|d4", "Test-time augmentation of every window (or image): left-right, up-down, both flips (4 runs), or the 8 rotations and mirrors of a square window. Default: none."),
        new("tta-scales", "s1,s2,…", "Test-time augmentation at these scales too (e.g. 0.75,1,1.25), each result resized back. Default: 1."),
        new("tta-merge", "probabilities|logits", "How augmented results are averaged: softmax/sigmoid probabilities (then thresholds and confidence read probabilities) or raw logits. Default: probabilities."),
        new("max-pixels", "n", "Largest image (and mask) accepted, in pixels as its header declares them, checked before decoding (a guard against decompression bombs). Default: 67108864 (8192x8192)."),
    ];

    private static readonly Dictionary<string, ImageResizeMode> s_resizeModes = new()
    {
        ["none"] = ImageResizeMode.None,
        ["stretch"] = ImageResizeMode.Stretch,
        ["letterbox"] = ImageResizeMode.Letterbox,
        ["pad32"] = ImageResizeMode.PadToMultiple,
    };

    /// <summary>The values of <c>--blend</c> (also <c>segml providers --tiled-image</c>'s).</summary>
    internal static readonly IReadOnlyDictionary<string, TileBlend> Blends = new Dictionary<string, TileBlend>()
    {
        ["constant"] = TileBlend.Constant,
        ["gaussian"] = TileBlend.Gaussian,
    };

    private static readonly Dictionary<string, TtaFlips> s_flips = new()
    {
        ["none"] = TtaFlips.None,
        ["hflip"] = TtaFlips.Horizontal,
        ["vflip"] = TtaFlips.Vertical,
        ["flip"] = TtaFlips.HorizontalAndVertical,
        ["d4"] = TtaFlips.D4,
    };

    private static readonly Dictionary<string, TtaMerge> s_merges = new()
    {
        ["probabilities"] = TtaMerge.Probabilities,
        ["logits"] = TtaMerge.Logits,
    };

    private static readonly Dictionary<string, OnnxExecutionProvider> s_providers = new()
    {
        ["cpu"] = OnnxExecutionProvider.Cpu,
        ["cuda"] = OnnxExecutionProvider.Cuda,
        ["tensorrt"] = OnnxExecutionProvider.TensorRT,
    };

    /// <summary>The largest <c>--max-pixels</c>: 2^40 pixels, far beyond any image that fits in memory, so the check stays meaningful.</summary>
    private const long MaxPixelsLimit = 1L << 40;

    public required string ModelPath { get; init; }

    public required ImageTensorOptions Image { get; init; }

    public required OnnxSessionOptions Session { get; init; }

    public float Threshold { get; init; } = 0.5f;

    public bool Recursive { get; init; }

    public static ModelSettings From(ParsedOptions options)
    {
        string model = options.Require("model");
        bool imageNet = options.Has("imagenet");
        if (imageNet && (options.Has("mean") || options.Has("std")))
        {
            throw new UsageException("option '--imagenet' cannot be combined with --mean or --std.");
        }

        var image = new ImageTensorOptions
        {
            Mean = imageNet ? ImageTensorOptions.ImageNetMean : options.GetFloats("mean", 3),
            Std = imageNet ? ImageTensorOptions.ImageNetStd : options.GetFloats("std", 3),
            ScaleToUnit = options.GetBool("scale-to-unit", true),
            ChannelOrder = options.Has("bgr") ? ChannelOrder.Bgr : ChannelOrder.Rgb,
            PaddingValue = options.GetFloat("pad-value", float.MinValue, float.MaxValue) ?? 0f,
            MaxPixels = options.GetLong("max-pixels", new ImageTensorOptions().MaxPixels, 1, MaxPixelsLimit),
        };
        if (image.Std is { } std && std.Any(s => s <= 0))
        {
            throw new UsageException($"option '--std' needs values > 0; got '{options.Get("std")}'.");
        }

        string? size = options.Get("size");
        ImageResizeMode resize = options.GetChoice("resize", size is null ? ImageResizeMode.None : ImageResizeMode.Stretch, s_resizeModes);
        image.ResizeMode = resize;
        if (resize == ImageResizeMode.PadToMultiple)
        {
            image.SizeMultiple = 32;
        }

        if (size is not null)
        {
            (int w, int h) = ParseSize(size, "size");

            if (resize is not (ImageResizeMode.Stretch or ImageResizeMode.Letterbox))
            {
                throw new UsageException($"option '--size' needs --resize stretch or letterbox (got --resize {options.Get("resize")}).");
            }

            image.Width = w;
            image.Height = h;
        }
        else if (resize is ImageResizeMode.Stretch or ImageResizeMode.Letterbox)
        {
            throw new UsageException($"option '--resize {options.Get("resize")}' needs --size WxH.");
        }

        var session = new OnnxSessionOptions
        {
            ExecutionProvider = options.GetChoice("provider", OnnxExecutionProvider.Cpu, s_providers),
            IntraOpThreads = options.GetInt("threads", 0, 0, 1024),
            ConcurrentRuns = options.GetInt("concurrent-runs", 0, 0, 64),
            InputName = options.Get("input-name"),
            OutputName = options.Get("output-name"),
            UpsampleToInput = true,
            Tiling = ParseTiling(options),
            TestTimeAugmentation = ParseAugmentation(options),
        };
        if (session.TestTimeAugmentation?.Flips == TtaFlips.D4 && session.Tiling is { } square && square.TileSize[0] != square.TileSize[1])
        {
            throw new UsageException($"option '--tta d4' rotates windows by 90°, so it needs a square --tile; got --tile {options.Get("tile")}.");
        }

        return new ModelSettings
        {
            ModelPath = model,
            Image = image,
            Session = session,
            Threshold = ParseThreshold(options),
            Recursive = options.Has("recursive"),
        };
    }

    /// <summary>The options as they were resolved, for reports.</summary>
    public Dictionary<string, object?> Describe() => new()
    {
        ["model"] = ModelPath,
        ["mean"] = Image.Mean?.ToArray(),
        ["std"] = Image.Std?.ToArray(),
        ["scaleToUnit"] = Image.ScaleToUnit,
        ["channelOrder"] = Image.ChannelOrder.ToString(),
        ["resize"] = Image.ResizeMode.ToString(),
        ["width"] = Image.Width,
        ["height"] = Image.Height,
        ["paddingValue"] = Image.PaddingValue,
        ["threshold"] = Threshold,
        ["provider"] = Session.ExecutionProvider.ToString(),
        ["threads"] = Session.IntraOpThreads,
        ["concurrentRuns"] = Session.ConcurrentRuns,
        ["inputName"] = Session.InputName,
        ["outputName"] = Session.OutputName,
        ["maxPixels"] = Image.MaxPixels,
        ["tile"] = Session.Tiling is { } t ? $"{t.TileSize[1]}x{t.TileSize[0]}" : null,
        ["tileOverlap"] = Session.Tiling?.Overlap[0],
        ["blend"] = Session.Tiling?.Blend.ToString(),
        ["sigmaScale"] = Session.Tiling?.SigmaScale[0],
        ["tileBatch"] = Session.Tiling?.TilesPerRun,
        ["tta"] = Session.TestTimeAugmentation?.Flips.ToString(),
        ["ttaScales"] = Session.TestTimeAugmentation?.Scales.ToArray(),
        ["ttaMerge"] = Session.TestTimeAugmentation?.Merge.ToString(),
    };

    /// <summary>The images of <c>--images</c> (and sub-folders with <c>--recursive</c>); a missing folder, or one without images, is bad input naming the options.</summary>
    public IReadOnlyList<string> FindImages(string directory)
    {
        IReadOnlyList<string> files;
        try
        {
            files = ImageMaskPairs.FindImages(directory, Recursive);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CliInputException($"--images: {e.Message}", e);
        }

        if (files.Count == 0)
        {
            string deeper = Recursive ? string.Empty : "; pass --recursive to search sub-folders too";
            throw new CliInputException($"--images '{directory}' holds no images ({string.Join(", ", ImageMaskPairs.ImageExtensions)}){deeper}.");
        }

        return files;
    }

    /// <summary>--threshold: a probability strictly inside (0, 1), as everywhere in SegML (<see cref="ForegroundThreshold"/>).</summary>
    private static float ParseThreshold(ParsedOptions options)
    {
        float threshold = options.GetFloat("threshold", 0f, 1f) ?? ForegroundThreshold.Default;
        if (!(threshold > 0f && threshold < 1f))
        {
            throw new UsageException($"option '--threshold' is a probability strictly between 0 and 1 (0 and 1 would make every pixel one class); got '{options.Get("threshold")}'.");
        }

        return threshold;
    }

    /// <summary>--tile and its companions; the companions without --tile are a usage error, never ignored.</summary>
    private static TilingOptions? ParseTiling(ParsedOptions options)
    {
        string? tile = options.Get("tile");
        if (tile is null)
        {
            string? orphan = new[] { "tile-overlap", "blend", "sigma-scale", "tile-batch" }.FirstOrDefault(options.Has);
            return orphan is null ? null : throw new UsageException($"option '--{orphan}' needs --tile WxH.");
        }

        (int width, int height) = ParseSize(tile, "tile");
        var tiling = new TilingOptions
        {
            TileSize = [height, width],
            Overlap = [options.GetDouble("tile-overlap", 0, 1, maxInclusive: false) ?? 0.25],
            Blend = options.GetChoice("blend", TileBlend.Constant, Blends),
            SigmaScale = [options.GetDouble("sigma-scale", double.Epsilon, 1e6) ?? 0.125],
            TilesPerRun = options.GetInt("tile-batch", 4, 1, 1024),
        };
        if (tiling.Blend == TileBlend.Constant && options.Has("sigma-scale"))
        {
            throw new UsageException("option '--sigma-scale' needs --blend gaussian (a constant blend has no sigma).");
        }

        return tiling;
    }

    /// <summary>--tta, --tta-scales and --tta-merge; none of them means no augmentation.</summary>
    private static TestTimeAugmentationOptions? ParseAugmentation(ParsedOptions options)
    {
        if (!options.Has("tta") && !options.Has("tta-scales") && !options.Has("tta-merge"))
        {
            return null;
        }

        var augmentation = new TestTimeAugmentationOptions
        {
            Flips = options.GetChoice("tta", TtaFlips.None, s_flips),
            Merge = options.GetChoice("tta-merge", TtaMerge.Probabilities, s_merges),
        };
        if (options.Get("tta-scales") is { } text)
        {
            var scales = new List<double>();
            foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || !(scale > 0 && double.IsFinite(scale)))
                {
                    throw new UsageException($"option '--tta-scales' needs comma-separated scales above 0, e.g. 0.75,1,1.25; got '{text}'.");
                }

                scales.Add(scale);
            }

            augmentation.Scales = scales;
        }

        return augmentation;
    }

    /// <summary>WIDTHxHEIGHT, both 1 or more.</summary>
    private static (int Width, int Height) ParseSize(string text, string option)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) || w < 1 || h < 1)
        {
            throw new UsageException($"option '--{option}' needs WIDTHxHEIGHT, e.g. 512x512; got '{text}'.");
        }

        return (w, h);
    }
}
