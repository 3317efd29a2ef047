using System.Text.Json;
using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Kernels;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary><c>segml predict</c>: writes one index mask per image at the image's original size.</summary>
internal static class PredictCommand
{
    public const string Synopsis = "segml predict --model m.onnx --images dir --out dir [options] [--color] [--confidence] [--json]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        .. ModelSettings.Specs,
        new("out", "dir", "Folder for <stem>.png index masks at the original image size (created; required)."),
        new("color", null, "Also write <stem>_color.png through the PASCAL VOC colormap."),
        new("confidence", null, "Also write <stem>_confidence.png: the winning class's probability × 255 (8-bit gray)."),
        new("json", null, "Write one JSON document listing the model and every mask written to stdout, instead of the summary line."),
        .. CommonOptions.Specs,
    ];

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
    {
        ModelSettings settings;
        string images, output;
        bool color, confidence, json, quiet;
        try
        {
            ParsedOptions options = ParsedOptions.Parse(args, Specs);
            if (options.Has("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            settings = ModelSettings.From(options);
            images = options.Require("images");
            output = options.Require("out");
            color = options.Has("color");
            confidence = options.Has("confidence");
            json = options.Has("json");
            quiet = options.Has("quiet");
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml predict: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            Predict(settings, images, output, color, confidence, stdout, stderr, interactive, json, quiet);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine($"segml predict: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static void Predict(ModelSettings settings, string imagesDirectory, string output, bool color, bool confidence, TextWriter stdout, TextWriter stderr, bool interactive, bool json, bool quiet)
    {
        IReadOnlyList<string> files = ImageMaskPairs.FindImages(imagesDirectory, settings.Recursive);
        if (files.Count == 0)
        {
            throw new ArgumentException($"'{imagesDirectory}' holds no images ({string.Join(", ", ImageMaskPairs.ImageExtensions)}).");
        }

        string? duplicate = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Several images in '{imagesDirectory}' have the stem '{duplicate}'; their masks would overwrite each other.");
        }

        Directory.CreateDirectory(output);
        settings.Session.Log = message => stderr.WriteLine(message);
        using SegmentationModel model = SegmentationModel.Load(settings.ModelPath, settings.Session);
        if (confidence && model.OutputKind == SegmentationOutputKind.Mask)
        {
            throw new InvalidOperationException($"The model '{model.ModelName}' outputs an integer mask, so it gives no confidence; drop --confidence.");
        }

        var loader = new SegmentationImageLoader(settings.Image);
        using var progress = new ProgressReporter(stderr, files.Count, interactive, "Predicted", quiet);
        var written = new List<object>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            string stem = Path.GetFileNameWithoutExtension(files[i]);
            progress.Report(i + 1, stem);
            ImageTensor tensor = loader.Load(files[i]);
            ImageGeometry geometry = tensor.Geometries[0];
            int[] labels = ModelSettings.Predict(model, tensor, settings.Threshold, 256, out float[]? scores, out SegmentationShape shape);
            int[] restored = MaskGeometry.Restore(labels, geometry);
            int classes = model.OutputKind == SegmentationOutputKind.Mask ? Math.Max(restored.Max() + 1, 1) : Math.Max(shape.Classes, 2);
            string maskPath = Path.Combine(output, stem + ".png");
            string? colorPath = color ? Path.Combine(output, stem + "_color.png") : null;
            string? confidencePath = confidence ? Path.Combine(output, stem + "_confidence.png") : null;
            MaskWriter.SaveIndexPng(restored, geometry.OriginalWidth, geometry.OriginalHeight, Math.Min(classes, 65535), maskPath, ignoreIndex: null);
            if (colorPath is not null)
            {
                MaskWriter.SaveColorPng(restored, geometry.OriginalWidth, geometry.OriginalHeight, colorPath);
            }

            if (confidencePath is not null)
            {
                int[] level = Confidence(scores!, shape, model.OutputKind);
                MaskWriter.SaveIndexPng(MaskGeometry.Restore(level, geometry), geometry.OriginalWidth, geometry.OriginalHeight, 256, confidencePath, ignoreIndex: null);
            }

            written.Add(new { image = files[i], mask = maskPath, color = colorPath, confidence = confidencePath, width = geometry.OriginalWidth, height = geometry.OriginalHeight });
        }

        progress.Finish(files.Count);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { model = model.ModelName, executionProvider = model.ExecutionProvider.ToString(), outputKind = model.OutputKind.ToString(), output, images = written }));
        }
        else
        {
            stdout.WriteLine($"Wrote {files.Count} mask(s) to {output}");
        }
    }

    /// <summary>The winning class's probability per pixel, scaled to 0..255: softmax (or sigmoid for one channel) of logits, the probabilities as given otherwise.</summary>
    private static int[] Confidence(float[] scores, SegmentationShape shape, SegmentationOutputKind kind)
    {
        int pixels = shape.Height * shape.Width;
        int k = shape.Classes;
        var level = new int[pixels];
        for (int p = 0; p < pixels; p++)
        {
            double best;
            if (k == 1)
            {
                double s = scores[p];
                double prob = kind == SegmentationOutputKind.Logits ? 1 / (1 + Math.Exp(-s)) : s;
                best = Math.Max(prob, 1 - prob);
            }
            else
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    max = Math.Max(max, scores[(c * pixels) + p]);
                }

                if (kind == SegmentationOutputKind.Logits)
                {
                    double sum = 0;
                    for (int c = 0; c < k; c++)
                    {
                        sum += Math.Exp(scores[(c * pixels) + p] - max);
                    }

                    best = 1 / sum;
                }
                else
                {
                    best = max;
                }
            }

            level[p] = (int)Math.Round(Math.Clamp(best, 0, 1) * 255);
        }

        return level;
    }
}
