using System.Globalization;
using Microsoft.ML.Segmentation.Data;
using Microsoft.ML.Segmentation.Evaluation;
using Microsoft.ML.Segmentation.Imaging;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Metrics;
using Microsoft.ML.Segmentation.Onnx;
using Microsoft.ML.Segmentation.Transforms;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary><c>segml eval</c>: runs a model over image/mask pairs and prints (and optionally saves) the metrics.</summary>
internal static class EvalCommand
{
    public const string Synopsis = "segml eval --model m.onnx --images dir --masks dir --classes N|name1,name2,… [options] [--json out.json|-]";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        .. ModelSettings.Specs,
        new("masks", "dir", "The folder of masks, paired with the images by file stem (required unless --manifest)."),
        new("manifest", "file.csv", "A manifest of 'image,mask' lines (paths relative to it) instead of --images/--masks."),
        new("classes", "N|names", "The class count, or the comma-separated class names (required)."),
        new("ignore", "v|none", "Mask value to skip (also the label of padding). Default: 255."),
        new("mask-format", "index|binary", "How masks encode classes: the pixel value, or 0/255 foreground. Default: index."),
        new("resize-masks", null, "Resize a mask of another size than its image to the image (nearest neighbour). Default: such a mask is an error, as it is most often paired with the wrong image."),
        new("reduction", "name", "How mIoU and mDice reduce: macro, micro, weighted, macro-imagewise, … Default: macro."),
        new("boundary", null, "Also compute boundary metrics per class: HD95, average surface distance, surface Dice (1 px), Boundary IoU."),
        new("calibration", null, "Also compute calibration errors from the model's scores (15 bins): top-label ECE, ACE and MCE, and ECE per class."),
        new("json", "out.json|-", "Also write the metrics, class names, model and options as JSON; '-' writes that document to stdout in place of the text report."),
        new("report", "dir", "Also write an HTML report (charts, confusion heatmap, worst images; with --calibration a reliability diagram) and its pictures (SVG charts, PNG strips) into dir."),
        new("shard", "i/n", "Evaluate only shard i of n (0-based): the i-th of n contiguous blocks of the pairs in sorted order; needs --state."),
        new("state", "part.json", "Also write the evaluation state (counts per image, boundary values, cross-entropy) for 'segml merge'."),
        new("skip-bad", null, "Skip an image or mask that cannot be read or scored, list it (text, JSON: skipped) and go on; exit 0. Default: stop at it, exit 1."),
        .. CommonOptions.Specs,
    ];

    public static string Usage => ParsedOptions.FormatUsage(Synopsis, Specs);

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive = false)
        => Run(args, stdout, stderr, interactive, CancellationToken.None);

    /// <summary>Runs <c>segml eval</c>; <paramref name="cancellation"/> (Ctrl+C) is checked before each image.</summary>
    /// <returns><see cref="ExitCodes.Ok"/>, <see cref="ExitCodes.BadInput"/>, or <see cref="ExitCodes.Cancelled"/> with the partial results written.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellation)
    {
        EvalRequest request;
        try
        {
            ParsedOptions options = ParsedOptions.Parse(args, Specs);
            if (options.Has("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            request = EvalRequest.From(options);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"segml eval: {e.Message}");
            stderr.WriteLine(Usage);
            return ExitCodes.BadInput;
        }

        try
        {
            // With --json - stdout carries the JSON document alone, so the text report goes nowhere.
            TextWriter report = request.JsonPath == "-" ? TextWriter.Null : stdout;
            bool complete = Evaluate(request, report, stderr, interactive, stdout, cancellation);
            return complete ? ExitCodes.Ok : ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is CliInputException or ArgumentException or InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine($"segml eval: {CliMessages.Describe(e)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>The per-image loss column eval adds for models that output logits over several classes.</summary>
    private const string CrossEntropyColumn = "CrossEntropy";

    /// <summary>
    /// Evaluates and writes the results; <see langword="false"/> when cancelled, the results then covering the images
    /// done so far. The work is the catalog's: LoadImages → LoadMasks → ScoreOnnx → PredictMasks (→ ComputeLosses)
    /// read by the same evaluation loop as <c>SegmentationCatalog.Evaluate</c>; only progress, cancellation and
    /// output stay here.
    /// </summary>
    private static bool Evaluate(EvalRequest request, TextWriter stdout, TextWriter stderr, bool interactive, TextWriter results, CancellationToken cancellation)
    {
        ModelSettings settings = request.Settings;
        IReadOnlyList<ImageMaskPair> pairs = request.ManifestPath is { } manifest
            ? ImageMaskPairs.FromManifest(manifest)
            : FromFolders(settings, request.ImagesDirectory!, request.MasksDirectory!);
        int datasetImageCount = pairs.Count;
        int shardStart = request.Shard is EvaluationShard shardOfData ? shardOfData.Range(datasetImageCount).Start : 0;
        pairs = SelectShard(pairs, request.Shard);
        IReadOnlyList<string> classNames = request.ClassNames;

        using ScoringPipeline scoring = ScoringPipeline.Create(settings, classNames, message => stderr.WriteLine(message));
        SegmentationModel model = scoring.Model;
        scoring.CheckClassCount(classNames.Count, "--classes");
        SegmentationTransforms transforms = scoring.Context.Segmentation().Transforms;
        var masks = new MaskOptions
        {
            ClassCount = classNames.Count,
            IgnoreIndex = request.IgnoreIndex,
            Format = request.MaskFormat,
            RequireSameSize = !request.ResizeMasks,
            MaxPixels = settings.Image.MaxPixels,
        };
        IEstimator<ITransformer> pipeline = scoring.Images
            .Append(transforms.LoadMasks(classNames, options: masks))
            .Append(scoring.Scorer);
        string predicted = "Scores";
        if (request.Calibration && scoring.OutputsMask)
        {
            throw new CliInputException("--calibration needs the model's scores, but this model outputs a mask (its post-processing took the argmax).");
        }

        if (!scoring.OutputsMask)
        {
            pipeline = pipeline.Append(transforms.PredictMasks(classNames, threshold: settings.Threshold));
            predicted = "PredictedMask";
        }

        // Cross-entropy needs logits over several classes (not the probabilities a TTA merge gives); a one-channel or
        // dynamic two-class model gets none, as before.
        bool crossEntropy = model.OutputKind == SegmentationOutputKind.Logits && !scoring.ScoresAreProbabilities
            && (model.OutputChannels > 1 || (model.OutputChannels is null && classNames.Count > 2));
        if (crossEntropy)
        {
            pipeline = pipeline.Append(transforms.ComputeLosses(new Dictionary<string, ISegmentationLoss> { [CrossEntropyColumn] = new CrossEntropyLoss() }));
        }

        IDataView data = scoring.Load(pairs);
        IDataView scored = pipeline.Fit(data).Transform(data);

        double crossEntropySum = 0;
        int crossEntropyImages = 0;
        List<EvalReport.Record>? records = request.ReportDirectory is null ? null : [];
        List<double?>? losses = request.StatePath is null ? null : [];
        using var progress = new ProgressReporter(stderr, pairs.Count, interactive, "Evaluated", request.Quiet);
        string? current = null;
        var evaluation = new DataViewEvaluation
        {
            LabelColumnName = "Mask",
            PredictedColumnName = predicted,
            GeometryColumnName = "ImageGeometry",
            ReadGeometry = true,
            Options = new SegmentationEvaluatorOptions
            {
                ClassNames = classNames,
                Reduction = request.Reduction,
                // The common evaluation setting (HD95, ASSD); the columns segml eval has always printed.
                BoundaryMetrics = request.Boundary ? BoundaryMetricOptions.Hd95() : null,
                Calibration = request.Calibration ? new CalibrationOptions() : null,
                OnBadRow = request.SkipBad ? BadRowPolicy.SkipAndRecord : BadRowPolicy.FailFast,
            },
            LossColumnNames = crossEntropy ? [CrossEntropyColumn] : [],
            RowOffset = shardStart,
            DescribeFailure = CliMessages.Describe,
            OnRowStart = (position, name) =>
            {
                current = pairs[(int)position].ImagePath;
                progress.Report((int)position + 1, name ?? string.Empty);
            },
            OnRow = Record,
            OnSkipped = image => stderr.WriteLine($"segml eval: skipped {image.Name}: {image.Reason}"),
        };
        SegmentationEvaluator evaluator = evaluation.CreateEvaluator(scored.Schema);
        bool complete;
        try
        {
            complete = evaluation.Run(scored, evaluator, cancellation);
        }
        catch (Exception e) when (current is not null && BadRows.IsBadRow(e) && !e.Message.Contains(current, StringComparison.Ordinal))
        {
            // Fail-fast: say which image stopped the run when the failure itself does not.
            throw new CliInputException($"Image '{current}': {CliMessages.Describe(e)}", e);
        }

        int done = evaluator.ImageCount + evaluator.SkippedImages.Count;
        if (!complete)
        {
            stderr.WriteLine($"segml eval: cancelled after {done} of {pairs.Count} images; the results cover those only (marked partial).");
        }
        else
        {
            progress.Finish(pairs.Count);
            if (request.StatePath is { } statePath)
            {
                // Only a complete shard writes its state: a partial one merged with the others would miss images.
                EvalShardFile.Write(statePath, ModelDescription.From(model), DescribeOptions(request), datasetImageCount, losses!, evaluator.GetState(request.Shard));
                if (evaluator.ImageCount == 0)
                {
                    // An empty shard (more shards than pairs) has no metrics of its own, but its state still completes the set.
                    stdout.WriteLine($"Shard {request.Shard} holds none of the {datasetImageCount} image(s).");
                    stdout.WriteLine($"State written to {statePath}");
                    return true;
                }
            }
        }

        if (evaluator.ImageCount == 0 && !complete)
        {
            // Nothing to compute metrics from: still leave a partial document, so a script sees the run was cut short.
            if (request.JsonPath is { } emptyJson)
            {
                string document = MetricsJson.PartialWithoutMetrics(model, done, pairs.Count, evaluator.SkippedImages);
                if (emptyJson == "-")
                {
                    results.WriteLine(document);
                }
                else
                {
                    File.WriteAllText(emptyJson, document);
                }
            }

            return false;
        }

        if (evaluator.ImageCount == 0)
        {
            throw new CliInputException(evaluator.SkippedImages.Count == 0
                ? "No image to evaluate."
                : $"No image could be evaluated: all {evaluator.SkippedImages.Count} were skipped; the first because {evaluator.SkippedImages[0].Reason}");
        }

        Write(evaluator.GetMetrics(), new MetricsJson.RunState(!complete, pairs.Count));
        if (complete && request.StatePath is { } written)
        {
            stdout.WriteLine($"State written to {written}");
        }

        return complete;

        void Record(EvaluatedRow row)
        {
            double? loss = null;
            if (crossEntropy && row.Truth.Span.IndexOfAnyExcept(DataViewEvaluation.Ignore) >= 0)
            {
                loss = row.Losses[0];
                crossEntropySum += loss.Value;
                crossEntropyImages++;
            }

            losses?.Add(loss);
            records?.Add(new EvalReport.Record(row.Name ?? string.Empty, pairs[(int)row.Position].ImagePath, row.Width, row.Height, row.Truth.ToArray(), row.Predicted.ToArray(), loss));
        }

        void Write(SegmentationMetrics metrics, MetricsJson.RunState state)
        {
            double? meanCrossEntropy = crossEntropyImages > 0 ? crossEntropySum / crossEntropyImages : null;
            stdout.WriteLine(ModelDescription.From(model).Line);
            if (state.Partial)
            {
                stdout.WriteLine($"PARTIAL: cancelled after {metrics.ImageCount + metrics.SkippedImages.Count} of {pairs.Count} images; the metrics cover {metrics.ImageCount} of them.");
            }

            stdout.WriteLine($"{pairs.Count} image(s), {classNames.Count} classes, ignore {request.IgnoreIndex?.ToString(CultureInfo.InvariantCulture) ?? "none"}, reduction {request.Reduction}");
            stdout.WriteLine();
            stdout.Write(metrics.GetFormattedPerClassTable());
            if (meanCrossEntropy is double ce)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean cross-entropy {ce:F4} (per image over non-ignored pixels, averaged over {crossEntropyImages} images)"));
            }

            WriteCalibrationLine(stdout, metrics);
            stdout.WriteLine();
            stdout.Write(metrics.GetFormattedConfusionTable());
            if (request.JsonPath is { } json)
            {
                Dictionary<string, object?> described = DescribeOptions(request);
                if (json == "-")
                {
                    results.WriteLine(MetricsJson.ToJson(metrics, model, described, meanCrossEntropy, state));
                    results.Flush();
                }
                else
                {
                    MetricsJson.Write(json, metrics, model, described, meanCrossEntropy, state);
                    stdout.WriteLine($"Metrics written to {json}");
                }
            }

            if (request.ReportDirectory is { } report)
            {
                stdout.WriteLine($"Report written to {EvalReport.Write(report, metrics, records!)}");
            }
        }
    }

    /// <summary>The pairs of --images and --masks; a missing folder, or an images folder without images, is reported naming its option.</summary>
    private static IReadOnlyList<ImageMaskPair> FromFolders(ModelSettings settings, string imagesDirectory, string masksDirectory)
    {
        settings.FindImages(imagesDirectory);
        try
        {
            return ImageMaskPairs.FromFolders(imagesDirectory, masksDirectory, settings.Recursive);
        }
        catch (DirectoryNotFoundException e)
        {
            // The images folder was just listed, so the folder that is missing is the masks'.
            throw new CliInputException($"--masks: {e.Message}", e);
        }
    }

    /// <summary>The model does not fit the options (its class count): every image would fail, so --skip-bad does not skip it.</summary>
    /// <summary>The pairs of <paramref name="shard"/> (all of them when null): a contiguous block, so merging shards in index order restores the dataset order.</summary>
    private static IReadOnlyList<ImageMaskPair> SelectShard(IReadOnlyList<ImageMaskPair> pairs, EvaluationShard? shard)
    {
        if (shard is not EvaluationShard s)
        {
            return pairs;
        }

        (int start, int length) = s.Range(pairs.Count);
        return pairs.Skip(start).Take(length).ToArray();
    }

    /// <summary>The text report's calibration line (with --calibration), shared with <c>segml merge</c>.</summary>
    internal static void WriteCalibrationLine(TextWriter stdout, SegmentationMetrics metrics)
    {
        if (metrics.Calibration is { } calibration)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"calibration ({calibration.Bins} bins, top-label): ECE {calibration.ExpectedCalibrationError:F4}, ACE {calibration.AverageCalibrationError:F4}, MCE {calibration.MaximumCalibrationError:F4}"));
        }
    }

    /// <summary>
    /// The "options" object of the JSON report; also saved in a shard's state, so that <c>segml merge --json</c> writes
    /// the same document as a single run.
    /// </summary>
    private static Dictionary<string, object?> DescribeOptions(EvalRequest request)
    {
        var described = request.Settings.Describe();
        described["ignoreIndex"] = request.IgnoreIndex;
        described["reduction"] = request.Reduction.ToString();
        described["boundary"] = request.Boundary;
        described["calibration"] = request.Calibration;
        described["maskFormat"] = request.MaskFormat.ToString();
        described["resizeMasks"] = request.ResizeMasks;
        described["skipBad"] = request.SkipBad;
        described["images"] = request.ImagesDirectory;
        described["masks"] = request.MasksDirectory;
        described["manifest"] = request.ManifestPath;
        return described;
    }

    internal sealed class EvalRequest
    {
        private static readonly Dictionary<string, MaskFormat> s_formats = new() { ["index"] = MaskFormat.Index, ["binary"] = MaskFormat.Binary };

        public required ModelSettings Settings { get; init; }

        public string? ImagesDirectory { get; init; }

        public string? MasksDirectory { get; init; }

        public string? ManifestPath { get; init; }

        public required IReadOnlyList<string> ClassNames { get; init; }

        public int? IgnoreIndex { get; init; }

        public MetricReduction Reduction { get; init; }

        public MaskFormat MaskFormat { get; init; }

        public bool ResizeMasks { get; init; }

        public string? JsonPath { get; init; }

        public bool Boundary { get; init; }

        public bool Calibration { get; init; }

        public bool Quiet { get; init; }

        public string? ReportDirectory { get; init; }

        public bool SkipBad { get; init; }

        public EvaluationShard? Shard { get; init; }

        public string? StatePath { get; init; }

        public static EvalRequest From(ParsedOptions options)
        {
            ModelSettings settings = ModelSettings.From(options);
            string? manifest = options.Get("manifest");
            if (manifest is not null && (options.Has("images") || options.Has("masks")))
            {
                throw new UsageException("option '--manifest' replaces --images and --masks; give one or the other.");
            }

            if (manifest is null)
            {
                options.Require("images");
                options.Require("masks");
            }

            IReadOnlyList<string> names = ParseClasses(options.Require("classes"));
            string ignoreText = options.Get("ignore") ?? "255";
            int? ignore = ignoreText.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : options.GetInt("ignore", 255, 0, 65535);
            if (ignore is int ig && ig < names.Count)
            {
                throw new UsageException($"option '--ignore' ({ig}) must lie outside classes 0..{names.Count - 1}; use 255 or none.");
            }

            return new EvalRequest
            {
                Settings = settings,
                ImagesDirectory = options.Get("images"),
                MasksDirectory = options.Get("masks"),
                ManifestPath = manifest,
                ClassNames = names,
                IgnoreIndex = ignore,
                Reduction = ParseReduction(options.Get("reduction")),
                MaskFormat = options.GetChoice("mask-format", MaskFormat.Index, s_formats),
                ResizeMasks = options.Has("resize-masks"),
                JsonPath = options.Get("json"),
                Boundary = options.Has("boundary"),
                Calibration = options.Has("calibration"),
                Quiet = options.Has("quiet"),
                ReportDirectory = options.Get("report"),
                SkipBad = options.Has("skip-bad"),
                Shard = ParseShard(options),
                StatePath = options.Get("state"),
            };
        }

        private static EvaluationShard? ParseShard(ParsedOptions options)
        {
            string? text = options.Get("shard");
            if (text is null)
            {
                return null;
            }

            if (!options.Has("state"))
            {
                throw new UsageException("option '--shard' needs --state part.json: a shard's metrics mean little alone; merge the states with 'segml merge'.");
            }

            string[] parts = text.Split('/');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
                || count < 1 || index >= count)
            {
                throw new UsageException($"option '--shard' needs i/n with n >= 1 and i in 0..n-1 (e.g. 0/4); got '{text}'.");
            }

            return new EvaluationShard(index, count);
        }

        public static IReadOnlyList<string> ParseClasses(string text)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            {
                if (count < 1 || count > 65535)
                {
                    throw new UsageException($"option '--classes' needs a count in 1..65535 or class names; got '{text}'.");
                }

                return Enumerable.Range(0, count).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
            }

            string[] names = text.Split(',', StringSplitOptions.TrimEntries);
            if (names.Any(n => n.Length == 0))
            {
                throw new UsageException($"option '--classes' has an empty class name: '{text}'.");
            }

            string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (duplicate is not null)
            {
                throw new UsageException($"option '--classes' names '{duplicate}' twice.");
            }

            return names;
        }

        private static MetricReduction ParseReduction(string? text)
        {
            if (text is null)
            {
                return MetricReduction.Macro;
            }

            string key = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
            MetricReduction[] allowed =
            [
                MetricReduction.Micro, MetricReduction.Macro, MetricReduction.Weighted, MetricReduction.MicroImagewise,
                MetricReduction.MacroImagewise, MetricReduction.WeightedImagewise, MetricReduction.MacroPerImage,
                MetricReduction.WeightedPerImage, MetricReduction.PooledImagewise,
            ];
            foreach (MetricReduction r in allowed)
            {
                if (r.ToString().Equals(key, StringComparison.OrdinalIgnoreCase))
                {
                    return r;
                }
            }

            throw new UsageException($"option '--reduction' must be one of {string.Join(", ", allowed.Select(Kebab))}; got '{text}'.");
        }

        private static string Kebab(MetricReduction r) => string.Concat(r.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
