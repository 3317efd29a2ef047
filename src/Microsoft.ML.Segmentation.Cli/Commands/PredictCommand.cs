using System.Text.Json;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
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
        new("skip-bad", null, "Skip an image that cannot be read or scored, list it (summary, JSON: skipped) and go on; exit 0. Default: stop at it, exit 1."),
        .. CommonOptions.Specs,
    ];

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
        => Run(args, stdout, stderr, interactive, CancellationToken.None);

    /// <summary>Runs <c>segml predict</c>; <paramref name="cancellation"/> (Ctrl+C) is checked before each image.</summary>
    /// <returns><see cref="ExitCodes.Ok"/>, <see cref="ExitCodes.BadInput"/>, or <see cref="ExitCodes.Cancelled"/> with the partial results written.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellation)
    {
        ModelSettings settings;
        string images, output;
        bool color, confidence, json, quiet, skipBad;
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
            skipBad = options.Has("skip-bad");
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml predict: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            var request = new Request(settings, images, output, color, confidence, json, quiet, skipBad);
            return Predict(request, stdout, stderr, interactive, cancellation) ? ExitCodes.Ok : ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is CliInputException or ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine($"segml predict: {CliMessages.Describe(e)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>What <c>segml predict</c> was asked.</summary>
    private sealed record Request(ModelSettings Settings, string ImagesDirectory, string Output, bool Color, bool Confidence, bool Json, bool Quiet, bool SkipBad);

    /// <summary>Writes the masks; <see langword="false"/> when cancelled (the masks written so far stay, and the summary says partial).</summary>
    private static bool Predict(Request request, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellation)
    {
        (ModelSettings settings, string imagesDirectory, string output, bool color, bool confidence, bool json, bool quiet, _) = request;
        IReadOnlyList<string> files = settings.FindImages(imagesDirectory);

        string? duplicate = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Several images in '{imagesDirectory}' have the stem '{duplicate}'; their masks would overwrite each other.");
        }

        Directory.CreateDirectory(output);
        settings.Session.Log = message => stderr.WriteLine(message);
        using SegmentationModel model = settings.LoadModel();
        if (confidence && model.OutputKind == SegmentationOutputKind.Mask)
        {
            throw new InvalidOperationException($"The model '{model.ModelName}' outputs an integer mask, so it gives no confidence; drop --confidence.");
        }

        var loader = new SegmentationImageLoader(settings.Image);
        using var progress = new ProgressReporter(stderr, files.Count, interactive, "Predicted", quiet);
        var written = new List<object>(files.Count);
        var skipped = new List<object>();
        int done = 0;
        for (; done < files.Count && !cancellation.IsCancellationRequested; done++)
        {
            progress.Report(done + 1, Path.GetFileNameWithoutExtension(files[done]));
            try
            {
                written.Add(PredictOne(files[done]));
            }
            catch (Exception e) when (request.SkipBad && BadRows.IsBadRow(e))
            {
                string reason = CliMessages.Describe(e);
                skipped.Add(new { index = done, image = files[done], reason });
                stderr.WriteLine($"segml predict: skipped {files[done]}: {reason}");
            }
        }

        bool complete = done == files.Count;
        if (complete)
        {
            progress.Finish(files.Count);
        }
        else
        {
            stderr.WriteLine($"segml predict: cancelled after {done} of {files.Count} images; the masks written so far stay (marked partial).");
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { model = model.ModelName, executionProvider = model.ExecutionProvider.ToString(), outputKind = model.OutputKind.ToString(), output, partial = !complete, imagesGiven = files.Count, images = written, skipped }));
        }
        else
        {
            string partial = complete ? string.Empty : $" (PARTIAL: cancelled after {done} of {files.Count} images)";
            string skips = skipped.Count == 0 ? string.Empty : $"; skipped {skipped.Count} that could not be read or scored (listed on stderr)";
            stdout.WriteLine($"Wrote {written.Count} mask(s) to {output}{skips}{partial}");
        }

        return complete;

        object PredictOne(string file)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            ImageTensor tensor = loader.Load(file);
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

            return new { image = file, mask = maskPath, color = colorPath, confidence = confidencePath, width = geometry.OriginalWidth, height = geometry.OriginalHeight };
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
