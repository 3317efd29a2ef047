using System.Globalization;
using System.Text;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// Runs the reference Lovász functions (bermanmaxim/LovaszSoftmax <c>pytorch/lovasz_losses.py</c>): <c>lovasz_grad</c>,
/// <c>lovasz_hinge</c>, <c>lovasz_hinge_flat</c>, <c>lovasz_softmax</c> and <c>lovasz_softmax_flat</c>. The case's
/// <c>api</c> text is the call with its keyword arguments; those (overlaid on <c>params</c>) map onto our options.
/// </summary>
internal sealed class LovaszReferenceHandler : IGoldenHandler
{
    public bool CanRun(GoldenFile file) => file.IsLibrary("Lovasz");

    public GoldenOutcome Run(GoldenCase testCase)
    {
        (string function, Dictionary<string, string> args) = ParseCall(testCase.Api);
        foreach (KeyValuePair<string, System.Text.Json.Nodes.JsonNode?> pair in testCase.Params)
        {
            args.TryAdd(pair.Key, pair.Value?.ToJsonString().Trim('"') ?? "None");
        }

        return function switch
        {
            "lovasz_grad" => Grad(testCase),
            "lovasz_hinge" => Hinge(testCase, args, flat: false),
            "lovasz_hinge_flat" => Hinge(testCase, args, flat: true),
            "lovasz_softmax" => Softmax(testCase, args, flat: false),
            "lovasz_softmax_flat" => Softmax(testCase, args, flat: true),
            _ => GoldenOutcome.Unsupported($"reference function '{function}' is not mapped"),
        };
    }

    private static GoldenOutcome Grad(GoldenCase testCase)
    {
        double[] gt = testCase.Tensor("gt_sorted").Data;
        bool[] flags = gt.Select(v => v != 0).ToArray();
        double[] weights = new double[flags.Length];
        LovaszExtension.JaccardWeights(flags, weights);
        return GoldenOutcome.Compare(testCase, weights);
    }

    private static GoldenOutcome Hinge(GoldenCase testCase, Dictionary<string, string> args, bool flat)
    {
        GoldenTensor logits = testCase.Tensor("logits");
        int[] labels = Labels(testCase);
        SegmentationShape shape = flat
            ? new SegmentationShape(1, 1, 1, logits.Data.Length)
            : logits.Rank switch
            {
                1 => new SegmentationShape(1, 1, 1, logits.Dim(0)),
                2 => new SegmentationShape(logits.Dim(0), 1, 1, logits.Dim(1)),
                3 => new SegmentationShape(logits.Dim(0), 1, logits.Dim(1), logits.Dim(2)),
                4 when logits.Dim(1) == 1 => new SegmentationShape(logits.Dim(0), 1, logits.Dim(2), logits.Dim(3)),
                _ => throw new InvalidDataException($"lovasz_hinge logits of shape [{string.Join(",", logits.Shape)}] are not [B,H,W]."),
            };
        var options = new LovaszHingeLossOptions { PerImage = !flat && Bool(args, "per_image", true) };
        var loss = new LovaszHingeLoss(options);
        double value = loss.Compute<double>(logits.Data, shape, SegmentationTarget<double>.FromLabels(labels, flat ? null : Ignore(args)));
        return GoldenOutcome.Compare(testCase, value);
    }

    private static GoldenOutcome Softmax(GoldenCase testCase, Dictionary<string, string> args, bool flat)
    {
        bool probabilities = testCase.HasInput("probas");
        GoldenTensor scores = testCase.Tensor(probabilities ? "probas" : "logits");
        int[] labels = Labels(testCase);
        double[] data = scores.Data;
        SegmentationShape shape;
        if (flat)
        {
            // [P, C] rows of pixels → [1, C, 1, P].
            int pixels = scores.Dim(0);
            int channels = scores.Rank == 1 ? 1 : scores.Dim(1);
            shape = new SegmentationShape(1, channels, 1, pixels);
            data = new double[scores.Data.Length];
            for (int p = 0; p < pixels; p++)
            {
                for (int c = 0; c < channels; c++)
                {
                    data[(c * pixels) + p] = scores.Data[(p * channels) + c];
                }
            }
        }
        else
        {
            shape = scores.Rank switch
            {
                3 => new SegmentationShape(scores.Dim(0), 1, scores.Dim(1), scores.Dim(2)),
                4 => new SegmentationShape(scores.Dim(0), scores.Dim(1), scores.Dim(2), scores.Dim(3)),
                _ => throw new InvalidDataException($"lovasz_softmax scores of shape [{string.Join(",", scores.Shape)}] are not [B,C,H,W] or [B,H,W]."),
            };
        }

        var options = new LovaszSoftmaxLossOptions
        {
            Activation = probabilities ? Activation.None : (shape.Classes == 1 ? Activation.Sigmoid : Activation.Softmax),
            PerImage = !flat && Bool(args, "per_image", false),
        };
        string classes = args.TryGetValue("classes", out string? text) ? text : "'present'";
        if (classes.StartsWith('['))
        {
            int[] list = ParseList(classes);
            if (shape.Classes == 1)
            {
                // One channel: the reference compares it with labels == c; our channel 0 is label 1.
                if (list is not [1])
                {
                    return GoldenOutcome.Unsupported($"one-channel classes={classes}: only [1] maps onto the foreground channel");
                }

                list = [0];
            }

            options.ClassIndices = list;
            options.ClassSelection = LovaszClassSelection.All;
        }
        else
        {
            if (shape.Classes == 1)
            {
                // The reference raises for a string `classes` over one channel, but only after its `numel() == 0` early
                // return: with every pixel ignored it gives 0 with a zero gradient, which our loss gives too.
                int? ignored = Ignore(args);
                if (ignored is null || labels.Any(l => l != ignored))
                {
                    return GoldenOutcome.Unsupported($"the reference rejects classes={classes} for one channel");
                }
            }

            options.ClassSelection = Unquote(classes) switch
            {
                "present" => LovaszClassSelection.Present,
                "all" => LovaszClassSelection.All,
                _ => throw new FormatException($"classes={classes} is neither 'present', 'all' nor a list."),
            };
        }

        var loss = new LovaszSoftmaxLoss(options);
        double value = loss.Compute<double>(data, shape, SegmentationTarget<double>.FromLabels(labels, Ignore(args)));
        return GoldenOutcome.Compare(testCase, value);
    }

    private static int[] Labels(GoldenCase testCase)
        => testCase.Tensor("labels").Data.Select(v => checked((int)v)).ToArray();

    private static int? Ignore(Dictionary<string, string> args)
        => args.TryGetValue("ignore", out string? text) && text != "None" && text != "null"
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : null;

    private static bool Bool(Dictionary<string, string> args, string name, bool fallback)
        => args.TryGetValue(name, out string? text) ? text is "True" or "true" : fallback;

    private static string Unquote(string text) => text.Trim().Trim('\'', '"');

    private static int[] ParseList(string text)
        => text.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Splits <c>name(a, b, key=value, key=[1, 2])</c> into the name and its keyword arguments.</summary>
    internal static (string Function, Dictionary<string, string> Args) ParseCall(string api)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        int open = api.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return (api.Trim(), args);
        }

        string function = api[..open].Trim();
        int close = api.LastIndexOf(')');
        string inner = close > open ? api[(open + 1)..close] : api[(open + 1)..];
        var parts = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        char quote = '\0';
        foreach (char ch in inner)
        {
            if (quote != '\0')
            {
                quote = ch == quote ? '\0' : quote;
            }
            else if (ch is '\'' or '"')
            {
                quote = ch;
            }
            else if (ch is '[' or '(')
            {
                depth++;
            }
            else if (ch is ']' or ')')
            {
                depth--;
            }
            else if (ch == ',' && depth == 0)
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(ch);
        }

        parts.Add(current.ToString());
        foreach (string part in parts)
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                args[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        return (function, args);
    }
}
