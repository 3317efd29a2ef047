using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Segmentation.Losses;
using Microsoft.ML.Segmentation.Onnx;

namespace Microsoft.ML.Segmentation.Cli.Commands;

/// <summary>
/// What <c>segml providers</c> does once its options are parsed: a CPU reference on one fixed random batch, then per
/// provider a load, a check that the session runs on that provider, the outputs' agreement with the CPU's, and the
/// throughput with and without IOBinding.
/// </summary>
internal sealed class ProviderCheck
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a broken provider may give NaN
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // read by people and jq, never embedded in HTML
    };

    public required string ModelPath { get; init; }

    public required IReadOnlyList<OnnxExecutionProvider> Providers { get; init; }

    public int Device { get; init; }

    public int Height { get; init; }

    public int Width { get; init; }

    public int Batch { get; init; }

    public int Iterations { get; init; }

    public int Warmup { get; init; }

    /// <summary><see langword="true"/> or <see langword="false"/> to measure one setting of <see cref="OnnxSessionOptions.UseIoBinding"/>; <see langword="null"/> for both.</summary>
    public bool? IoBinding { get; init; }

    public string? TensorRTCache { get; init; }

    public bool? Fp16 { get; init; }

    public int Seed { get; init; }

    /// <summary>Also times sliding-window inference of one larger image per provider (<c>--tiled-image</c>); <see langword="null"/> for none.</summary>
    public TiledProviderTiming? Tiled { get; init; }

    /// <summary>The settings every load shares (threads, names, channels, log); the provider list is set per load.</summary>
    public required OnnxSessionOptions Session { get; init; }

    /// <summary>Runs the check, one JSON line per provider.</summary>
    /// <returns>Whether every provider ran on itself.</returns>
    public bool Run(TextWriter stdout)
    {
        Output reference;
        float[] input;
        TiledReference? tiledReference = null;
        using (SegmentationModel cpu = Load(OnnxProviderOptions.Cpu(), ioBinding: true))
        {
            input = RandomInput(cpu.InputChannels);
            reference = Execute(cpu, input);
            if (Tiled is not null)
            {
                float[] image = Tiled.RandomImage(cpu.InputChannels, Seed);
                tiledReference = new TiledReference(image, Tiled.Labels(cpu, image));
            }
        }

        bool allRan = true;
        foreach (OnnxExecutionProvider provider in Providers)
        {
            Dictionary<string, object?> line = Check(provider, input, reference, tiledReference, out bool ran);
            allRan &= ran;
            // Keys that do not apply (a CPU's device, a fallback's reason) are left out rather than written as null.
            stdout.WriteLine(JsonSerializer.Serialize(line.Where(kv => kv.Value is not null).ToDictionary(), s_json));
            stdout.Flush();
        }

        return allRan;
    }

    private Dictionary<string, object?> Check(OnnxExecutionProvider provider, float[] input, Output reference, TiledReference? tiledReference, out bool ran)
    {
        ran = false;
        OnnxProviderOptions entry = provider switch
        {
            OnnxExecutionProvider.Cuda => OnnxProviderOptions.Cuda(Device),
            OnnxExecutionProvider.TensorRT => OnnxProviderOptions.TensorRT(Device, Fp16, TensorRTCache),
            _ => OnnxProviderOptions.Cpu(),
        };
        var line = new Dictionary<string, object?>
        {
            ["provider"] = provider.ToString().ToLowerInvariant(),
            ["device"] = provider == OnnxExecutionProvider.Cpu ? null : Device,
            ["batch"] = Batch,
            ["height"] = Height,
            ["width"] = Width,
        };
        bool[] settings = IoBinding is bool only ? [only] : [true, false];
        try
        {
            var clock = Stopwatch.StartNew();
            using SegmentationModel model = Load(entry, settings[0]);
            line["load_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
            if (model.ExecutionProvider != provider)
            {
                line["status"] = "fell back";
                line["ran_on"] = model.ExecutionProvider.ToString().ToLowerInvariant();
                line["reason"] = model.ExecutionProviderFallbackReason;
                return line;
            }

            // The first run pays for lazy set-up (TensorRT builds its engine here for dynamic shapes).
            clock.Restart();
            Output output = Execute(model, input);
            line["first_run_ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
            line["output_kind"] = model.OutputKind.ToString();
            Compare(output, reference, line);
            line[Key(settings[0])] = Measure(model, input);
            for (int i = 1; i < settings.Length; i++)
            {
                using SegmentationModel other = Load(entry, settings[i]);
                line[Key(settings[i])] = Measure(other, input);
            }

            if (Tiled is not null && tiledReference is { } tiledCpu)
            {
                Tiled.Measure(model, tiledCpu.Image, input, tiledCpu.Labels, Iterations, Warmup, line);
            }

            line["status"] = "ok";
            ran = true;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException)
        {
            line["status"] = "failed";
            line["reason"] = CliMessages.Describe(e);
        }

        return line;
    }

    private static string Key(bool ioBinding) => ioBinding ? "images_per_s_iobinding" : "images_per_s_plain";

    private SegmentationModel Load(OnnxProviderOptions entry, bool ioBinding) => SegmentationModel.Load(ModelPath, new OnnxSessionOptions
    {
        ExecutionProviders = [entry],
        UseIoBinding = ioBinding,
        IntraOpThreads = Session.IntraOpThreads,
        InputName = Session.InputName,
        OutputName = Session.OutputName,
        InputChannels = Session.InputChannels,
        Log = Session.Log,
    });

    private float[] RandomInput(int channels)
    {
        var random = new Random(Seed);
        var input = new float[checked(Batch * channels * Height * Width)];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (random.NextSingle() * 2) - 1;
        }

        return input;
    }

    private Output Execute(SegmentationModel model, float[] input)
    {
        if (model.OutputKind == SegmentationOutputKind.Mask)
        {
            var labels = new int[Batch * Height * Width];
            SegmentationShape maskShape = model.RunMask(input, Batch, Height, Width, labels);
            return new Output(null, labels.AsSpan(0, maskShape.PixelCount).ToArray());
        }

        float[] scores = [];
        SegmentationShape shape = model.Run(input, Batch, Height, Width, ref scores);
        Array.Resize(ref scores, shape.ElementCount);
        return new Output(scores, Argmax(scores, shape, model.OutputKind));
    }

    /// <summary>Images per second over <see cref="Iterations"/> timed runs, after <see cref="Warmup"/> untimed ones.</summary>
    private double Measure(SegmentationModel model, float[] input)
    {
        for (int i = 0; i < Warmup; i++)
        {
            _ = Execute(model, input);
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Iterations; i++)
        {
            _ = Execute(model, input);
        }

        return Math.Round(Batch * (double)Iterations / clock.Elapsed.TotalSeconds, 2);
    }

    private static void Compare(Output output, Output reference, Dictionary<string, object?> line)
    {
        if (output.Scores is { } scores && reference.Scores is { } expected && scores.Length == expected.Length)
        {
            double max = 0, sum = 0;
            for (int i = 0; i < scores.Length; i++)
            {
                double diff = Math.Abs((double)scores[i] - expected[i]);
                max = double.IsNaN(diff) ? double.NaN : Math.Max(max, diff);
                sum += diff;
            }

            line["max_abs_diff"] = max;
            line["mean_abs_diff"] = sum / Math.Max(scores.Length, 1);
        }

        if (output.Labels.Length != reference.Labels.Length)
        {
            throw new InvalidOperationException($"The output has {output.Labels.Length} pixels; the CPU's has {reference.Labels.Length}.");
        }

        line["argmax_agreement_pct"] = Math.Round(AgreementPercent(output.Labels, reference.Labels), 4);
    }

    /// <summary>The percentage of pixels whose labels agree (equal lengths).</summary>
    internal static double AgreementPercent(int[] labels, int[] reference)
    {
        int same = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            same += labels[i] == reference[i] ? 1 : 0;
        }

        return 100.0 * same / Math.Max(labels.Length, 1);
    }

    /// <summary>The predicted class per pixel of <c>[N,K,H,W]</c> scores; one channel is thresholded at 0 (logits) or 0.5 (probabilities).</summary>
    internal static int[] Argmax(float[] scores, SegmentationShape shape, SegmentationOutputKind kind)
    {
        int pixels = shape.PixelsPerImage;
        var labels = new int[shape.PixelCount];
        float threshold = kind == SegmentationOutputKind.Probabilities ? 0.5f : 0f;
        for (int n = 0; n < shape.Batch; n++)
        {
            int image = n * shape.Classes * pixels;
            for (int p = 0; p < pixels; p++)
            {
                int best = 0;
                if (shape.Classes == 1)
                {
                    best = scores[image + p] > threshold ? 1 : 0;
                }
                else
                {
                    for (int c = 1; c < shape.Classes; c++)
                    {
                        best = scores[image + (c * pixels) + p] > scores[image + (best * pixels) + p] ? c : best;
                    }
                }

                labels[(n * pixels) + p] = best;
            }
        }

        return labels;
    }

    /// <summary>One run's float scores (null for a mask model) and its labels.</summary>
    private readonly record struct Output(float[]? Scores, int[] Labels);

    /// <summary>The image <c>--tiled-image</c> tiles and the CPU's tiled labels of it.</summary>
    private readonly record struct TiledReference(float[] Image, int[] Labels);
}
