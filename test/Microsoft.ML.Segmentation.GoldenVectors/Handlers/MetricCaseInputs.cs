using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Segmentation.GoldenVectors.Handlers;

/// <summary>
/// Reads the inputs and parameters of metric cases the way the golden files write them: tensors with data, tensor
/// "generator" expressions (<c>torch.ones((2,2,3,3))</c>, or small numpy programs such as
/// <c>t = zeros((3,4,10,10),int8); t[0,1,:4,:4]=1</c>), inputs that refer to another case ("same as previous",
/// "same as TEST_CASE_X"), and keyword arguments written in a case's <c>api</c> text.
/// </summary>
internal static partial class MetricCaseInputs
{
    /// <summary>The tensor <paramref name="name"/> of a case, whichever way the file gives it.</summary>
    public static GoldenTensor Tensor(GoldenCase testCase, string name)
    {
        JsonObject inputs = ResolveInputs(testCase);
        if (inputs[name] is JsonObject tensor && tensor["data"] is null && GoldenValues.String(tensor["generator"]) is string expression)
        {
            return Generate(expression, name);
        }

        if (inputs[name] is JsonObject empty && empty["data"] is null && empty["shape"] is JsonArray dims
            && dims.Select(d => (int)GoldenValues.Number(d)).ToArray() is int[] shape && shape.Contains(0))
        {
            // A tensor with a zero dimension holds no data; the files give only its shape.
            return new GoldenTensor(name, shape, Array.Empty<double>(), string.Empty);
        }

        if (inputs[name] is not null)
        {
            return GoldenValues.Tensor(inputs[name], name);
        }

        if (GoldenValues.String(inputs["generator"]) is string program)
        {
            return NumpyProgram.Run(program).TryGetValue(name, out GoldenTensor? t)
                ? t with { Name = name }
                : throw new InvalidDataException($"The generator program defines no tensor '{name}'.");
        }

        throw new InvalidDataException($"The case has no input '{name}'.");
    }

    /// <summary>Whether the case (after resolving references) has an input of that name.</summary>
    public static bool Has(GoldenCase testCase, string name)
    {
        JsonObject inputs = ResolveInputs(testCase);
        return inputs[name] is not null || (GoldenValues.String(inputs["generator"]) is string program && program.Contains(name + " ", StringComparison.Ordinal));
    }

    /// <summary>
    /// The effective parameters: the file's defaults (or the defaults of <paramref name="callable"/> when the file nests
    /// them per callable), overlaid with the keyword arguments of the case's api text, overlaid with the case's params.
    /// </summary>
    public static JsonObject Parameters(GoldenCase testCase, string? callable = null)
    {
        var result = new JsonObject();
        foreach (KeyValuePair<string, JsonNode?> pair in testCase.File.Defaults)
        {
            if (pair.Value is JsonObject nested)
            {
                if (callable is not null && pair.Key == callable)
                {
                    foreach (KeyValuePair<string, JsonNode?> inner in nested)
                    {
                        result[inner.Key] = inner.Value?.DeepClone();
                    }
                }

                continue;
            }

            result[pair.Key] = pair.Value?.DeepClone();
        }

        foreach (KeyValuePair<string, JsonNode?> pair in ApiArguments(testCase.Api))
        {
            result[pair.Key] = pair.Value;
        }

        if (testCase.Node["params"] is JsonObject own)
        {
            foreach (KeyValuePair<string, JsonNode?> pair in own)
            {
                result[pair.Key] = pair.Value?.DeepClone();
            }
        }

        return result;
    }

    /// <summary>The name of the first call in an api text, e.g. "multiclass_accuracy" or "ConfusionMatrixMetric".</summary>
    public static string CallName(string api)
    {
        Match m = CallRegex().Match(api);
        return m.Success ? m.Groups[1].Value : string.Empty;
    }

    public static string? Text(JsonObject parameters, string key) => GoldenValues.String(parameters[key]);

    public static bool Bool(JsonObject parameters, string key, bool fallback)
        => parameters[key] is JsonValue v && v.TryGetValue(out bool b) ? b : fallback;

    public static double? Number(JsonObject parameters, string key)
        => parameters[key] is JsonNode n && !GoldenValues.IsNull(n) && n is JsonValue ? GoldenValues.Number(n) : null;

    /// <summary>Keyword arguments of the first call in an api text: strings, numbers, True/False and None.</summary>
    internal static Dictionary<string, JsonNode?> ApiArguments(string api)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        int open = api.IndexOf('(', StringComparison.Ordinal);
        int close = open < 0 ? -1 : MatchingParenthesis(api, open);
        if (open < 0 || close < 0)
        {
            return result;
        }

        foreach (Match m in KeywordRegex().Matches(api[(open + 1)..close]))
        {
            string raw = m.Groups[2].Value;
            result[m.Groups[1].Value] = raw switch
            {
                "True" => JsonValue.Create(true),
                "False" => JsonValue.Create(false),
                "None" => null,
                _ when raw[0] is '[' or '(' => ListValue(raw[1..^1]),
                _ when raw.Length >= 2 && (raw[0] == '"' || raw[0] == '\'') => JsonValue.Create(raw[1..^1]),
                _ when double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => JsonValue.Create(d),
                _ => JsonValue.Create(raw),
            };
        }

        return result;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            depth += text[i] is '(' or '[' ? 1 : text[i] is ')' or ']' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts.Where(part => part.Trim().Length > 0).ToList();
    }

    private static int MatchingParenthesis(string text, int open)
    {
        int depth = 0;
        char quote = '\0';
        for (int i = open; i < text.Length; i++)
        {
            char ch = text[i];
            if (quote != '\0')
            {
                quote = ch == quote ? '\0' : quote;
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
            }
            else if (ch == '(')
            {
                depth++;
            }
            else if (ch == ')' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonArray ListValue(string items)
    {
        var array = new JsonArray();
        foreach (string item in items.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            array.Add(item.Length >= 2 && (item[0] == '"' || item[0] == '\'')
                ? JsonValue.Create(item[1..^1])
                : JsonValue.Create(double.Parse(item, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return array;
    }

    private static JsonObject ResolveInputs(GoldenCase testCase)
    {
        GoldenCase current = testCase;
        for (int hops = 0; hops < 16; hops++)
        {
            if (current.Node["inputs"] is JsonObject obj)
            {
                return obj;
            }

            string reference = GoldenValues.String(current.Node["inputs"]) ?? throw new InvalidDataException("The case has no inputs.");
            Match m = SameAsRegex().Match(reference);
            if (!m.Success)
            {
                throw new InvalidDataException($"Cannot read the inputs reference '{reference}'.");
            }

            string target = m.Groups[1].Value.Trim();
            int index = IndexOf(current);
            current = target is "previous" or "above"
                ? (index > 0 ? current.File.Cases[index - 1] : throw new InvalidDataException("'same as previous' in the first case."))
                : current.File.Cases.FirstOrDefault(c => c.Id == target) ?? throw new InvalidDataException($"No case '{target}' to take inputs from.");
        }

        throw new InvalidDataException("The inputs references form a cycle.");
    }

    private static int IndexOf(GoldenCase testCase)
    {
        for (int i = 0; i < testCase.File.Cases.Count; i++)
        {
            if (ReferenceEquals(testCase.File.Cases[i], testCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static GoldenTensor Generate(string expression, string name)
    {
        string trimmed = expression.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            // A list of tensors (a decollated batch): stack them along a new first dimension.
            GoldenTensor[] items = SplitTopLevel(trimmed[1..^1]).Select(item => Generate(item, name)).ToArray();
            if (items.Length == 0 || items.Any(t => !t.Shape.SequenceEqual(items[0].Shape)))
            {
                throw new InvalidDataException($"Generator list '{expression}' is empty or mixes shapes.");
            }

            return new GoldenTensor(name, items[0].Shape.Prepend(items.Length).ToArray(), items.SelectMany(t => t.Data).ToArray(), string.Empty);
        }

        Dictionary<string, GoldenTensor> variables = NumpyProgram.Run("__value = " + expression);
        return variables["__value"] with { Name = name };
    }

    [GeneratedRegex(@"^\s*([A-Za-z_][\w.]*)\s*\(")]
    private static partial Regex CallRegex();

    [GeneratedRegex(@"([A-Za-z_]\w*)\s*=\s*(\[[^\]]*\]|\([^)]*\)|""[^""]*""|'[^']*'|[-+\w.]+)")]
    private static partial Regex KeywordRegex();

    [GeneratedRegex(@"^\s*same as\s+(.+?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex SameAsRegex();
}

/// <summary>Layout helpers shared by the metric handlers.</summary>
internal static partial class MetricCaseInputs
{
    /// <summary>[B,C,spatial…] as an NCHW shape with the spatial dimensions flattened into one row.</summary>
    public static Microsoft.ML.Segmentation.Losses.SegmentationShape Nchw(GoldenTensor t)
    {
        if (t.Rank < 2)
        {
            throw new InvalidDataException($"Tensor '{t.Name}' has rank {t.Rank}; expected [B,C,spatial…].");
        }

        int spatial = 1;
        for (int d = 2; d < t.Rank; d++)
        {
            spatial *= t.Shape[d];
        }

        return new Microsoft.ML.Segmentation.Losses.SegmentationShape(t.Shape[0], t.Shape[1], 1, spatial);
    }

    /// <summary>One-hot encodes a label map [B,1,S] into [B,K,S].</summary>
    public static double[] OneHot(double[] labels, Microsoft.ML.Segmentation.Losses.SegmentationShape shape, int classes)
    {
        int s = shape.PixelsPerImage;
        var result = new double[shape.Batch * classes * s];
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int i = 0; i < s; i++)
            {
                int label = (int)labels[(b * s) + i];
                if (label < 0 || label >= classes)
                {
                    throw new InvalidDataException($"Label {label} is outside 0..{classes - 1}.");
                }

                result[(((b * classes) + label) * s) + i] = 1;
            }
        }

        return result;
    }

    /// <summary>Class indices as ints, checking they are whole numbers.</summary>
    public static int[] Labels(GoldenTensor t)
        => t.Data.Select(v => v == Math.Floor(v) ? (int)v : throw new InvalidDataException($"Tensor '{t.Name}' holds {v}, not a class index.")).ToArray();
}
