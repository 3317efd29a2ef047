using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary><c>segml predict</c>: writes one index mask per image at the image's original size.</summary>
internal static class PredictCommand
{
    public const string Synopsis = "segml predict --model m.onnx --images dir --out dir [options] [--color] [--confidence] [--json]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        .. ModelSettings.Specs,
        new("out", "dir", "Folder for <stem>.png index masks at the original image size (created; required)."),
        new("classes", "N|names", "The class count or comma-separated names. Default: the model's channel count (2 for one channel); needed when the model's channel count is dynamic."),
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
        IReadOnlyList<string>? classes;
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
            classes = options.Get("classes") is { } names ? EvalCommand.EvalRequest.ParseClasses(names) : null;
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml predict: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            var request = new Request(settings, images, output, color, confidence, json, quiet, skipBad, classes);
            return Predict(request, stdout, stderr, interactive, cancellation) ? ExitCodes.Ok : ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is CliInputException or ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine($"segml predict: {CliMessages.Describe(e)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>What <c>segml predict</c> was asked.</summary>
    private sealed record Request(ModelSettings Settings, string ImagesDirectory, string Output, bool Color, bool Confidence, bool Json, bool Quiet, bool SkipBad, IReadOnlyList<string>? Classes);

    /// <summary>The class names of an integer-mask model's output when --classes is not given: every 8-bit value.</summary>
    private static readonly string[] s_maskValues = Enumerable.Range(0, 256).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Writes the masks; <see langword="false"/> when cancelled (the masks written so far stay, and the summary says
    /// partial). The masks come from the catalog's LoadImages → ScoreOnnx → PredictMasks (restored to the original
    /// size, with the confidence column when asked): what a <c>PredictionEngine</c> over the same stages gives. With
    /// --tile over unresized images they are streamed instead (<see cref="StreamedPrediction"/>): the same files, in
    /// bounded memory.
    /// </summary>
    private static bool Predict(Request request, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellation)
    {
        (ModelSettings settings, string imagesDirectory, string output, bool color, bool confidence, bool json, bool quiet, _, _) = request;
        IReadOnlyList<string> files = settings.FindImages(imagesDirectory);

        string? duplicate = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Several images in '{imagesDirectory}' have the stem '{duplicate}'; their masks would overwrite each other.");
        }

        Directory.CreateDirectory(output);
        using ScoringPipeline scoring = ScoringPipeline.Create(settings, request.Classes ?? s_maskValues, message => stderr.WriteLine(message));
        SegmentationModel model = scoring.Model;
        if (confidence && scoring.OutputsMask)
        {
            throw new InvalidOperationException($"The model '{model.ModelName}' outputs an integer mask, so it gives no confidence; drop --confidence.");
        }

        IEstimator<ITransformer> pipeline = scoring.Images.Append(scoring.Scorer);
        string maskColumn = "Scores";
        int classCount = request.Classes?.Count ?? s_maskValues.Length;
        if (!scoring.OutputsMask)
        {
            IReadOnlyList<string> names = request.Classes ?? DefaultClassNames(model);
            scoring.CheckClassCount(names.Count, "--classes");
            classCount = names.Count;
            pipeline = pipeline.Append(scoring.Context.Segmentation().Transforms.PredictMasks(
                names, threshold: settings.Threshold, restoreOriginalSize: true, confidenceColumnName: confidence ? "Confidence" : null));
            maskColumn = "PredictedMask";
        }

        using var progress = new ProgressReporter(stderr, files.Count, interactive, "Predicted", quiet);
        var written = new List<object>(files.Count);
        var skipped = new List<SkippedImage>();
        int done = 0;

        // One image's files, or a skipped entry when --skip-bad lets a bad row pass.
        void Attempt(string file, Func<object> predictOne)
        {
            try
            {
                written.Add(predictOne());
            }
            catch (Exception e) when (request.SkipBad && BadRows.IsBadRow(e))
            {
                string reason = CliMessages.Describe(e);
                skipped.Add(new SkippedImage(done, file, reason));
                stderr.WriteLine($"segml predict: skipped {file}: {reason}");
            }
        }

        (string Mask, string? Color, string? Confidence) PathsOf(string file)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            return (Path.Combine(output, stem + ".png"), color ? Path.Combine(output, stem + "_color.png") : null, confidence ? Path.Combine(output, stem + "_confidence.png") : null);
        }

        // Tiled scoring of unresized images streams each mask band by band: no full tensor, no full scores.
        if (StreamedPrediction.For(settings, scoring, classCount, confidence) is { } streamed)
        {
            for (; done < files.Count && !cancellation.IsCancellationRequested; done++)
            {
                string file = files[done];
                progress.Report(done + 1, Path.GetFileNameWithoutExtension(file));
                (string maskPath, string? colorPath, string? confidencePath) = PathsOf(file);
                Attempt(file, () => streamed.Write(file, maskPath, colorPath, confidencePath));
            }
        }
        else
        {
            PredictWithPipeline();
        }

        void PredictWithPipeline()
        {
            var pairs = files.Select(f => new ImageMaskPair(Path.GetFileNameWithoutExtension(f), f, f)).ToArray();
            IDataView data = scoring.Load(pairs);
            IDataView predicted = pipeline.Fit(data).Transform(data);
            DataViewSchema schema = predicted.Schema;
            var active = new List<DataViewSchema.Column> { schema[maskColumn], schema["ImageGeometry"] };
            if (confidence)
            {
                active.Add(schema["Confidence"]);
            }

            using DataViewRowCursor cursor = predicted.GetRowCursor(active);
            ValueGetter<VBuffer<uint>> getMask = cursor.GetGetter<VBuffer<uint>>(schema[maskColumn]);
            ValueGetter<VBuffer<int>> getGeometry = cursor.GetGetter<VBuffer<int>>(schema["ImageGeometry"]);
            ValueGetter<VBuffer<float>>? getConfidence = confidence ? cursor.GetGetter<VBuffer<float>>(schema["Confidence"]) : null;
            VBuffer<uint> mask = default;
            VBuffer<int> geometryValue = default;
            VBuffer<float> confidenceValue = default;
            for (; done < files.Count && !cancellation.IsCancellationRequested && cursor.MoveNext(); done++)
            {
                string file = files[done];
                progress.Report(done + 1, Path.GetFileNameWithoutExtension(file));
                Attempt(file, () => PredictOne(file));
            }

            object PredictOne(string file)
            {
                getGeometry(ref geometryValue);
                getMask(ref mask);
                ImageGeometry geometry = ColumnTypes.ToGeometry(geometryValue);
                int[] labels = new int[mask.Length];
                ColumnTypes.KeysToLabels(mask, -1, labels);
                if (scoring.OutputsMask)
                {
                    // ScoreOnnx gives an integer-mask model's output at the tensor's size; bring it to the image's.
                    labels = MaskGeometry.Restore(labels, geometry);
                }

                int width = geometry.OriginalWidth, height = geometry.OriginalHeight;
                (string maskPath, string? colorPath, string? confidencePath) = PathsOf(file);
                int classes = scoring.OutputsMask ? Math.Max(labels.Max() + 1, 2) : classCount;
                MaskWriter.SaveIndexPng(labels, width, height, Math.Min(classes, 65535), maskPath, ignoreIndex: null);
                if (colorPath is not null)
                {
                    MaskWriter.SaveColorPng(labels, width, height, colorPath);
                }

                if (confidencePath is not null)
                {
                    getConfidence!(ref confidenceValue);
                    int[] level = confidenceValue.DenseValues().Select(StreamedPrediction.ConfidenceLevel).ToArray();
                    MaskWriter.SaveIndexPng(level, width, height, 256, confidencePath, ignoreIndex: null);
                }

                return new { image = file, mask = maskPath, color = colorPath, confidence = confidencePath, width, height };
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
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                model = model.ModelName,
                executionProvider = model.ExecutionProvider.ToString(),
                outputKind = model.OutputKind.ToString(),
                output,
                partial = !complete,
                imagesGiven = files.Count,
                images = written,
                skipped = skipped.Select(s => new { row = s.RowIndex, name = s.Name, reason = s.Reason }),
            }));
        }
        else
        {
            string partial = complete ? string.Empty : $" (PARTIAL: cancelled after {done} of {files.Count} images)";
            string skips = skipped.Count == 0 ? string.Empty : $"; skipped {skipped.Count} that could not be read or scored (listed on stderr)";
            stdout.WriteLine($"Wrote {written.Count} mask(s) to {output}{skips}{partial}");
        }

        return complete;
    }

    /// <summary>"0", "1", … one per output channel (two for a one-channel model); a dynamic channel count needs --classes.</summary>
    private static string[] DefaultClassNames(SegmentationModel model)
    {
        int channels = model.OutputChannels
            ?? throw new CliInputException($"The model '{model.ModelName}' has a dynamic channel count ({model.OutputLayout}); give --classes N (or the class names).");
        return Enumerable.Range(0, Math.Max(channels, 2)).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
